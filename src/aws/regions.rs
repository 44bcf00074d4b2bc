//! The AWS commercial-partition regions topoc knows, with approximate coordinates.
//!
//! Source: the AWS Regions and Availability Zones documentation and the
//! regional product pages, checked 2026-11-26. AWS adds regions over time: a region
//! missing here is reported as unknown (TOPO0021); add it to this table with its
//! opt-in status. Coordinates are the metro area of the region, used only to order
//! regions by distance (for example to pick the nearest other region as the
//! CloudFront failover origin); they carry no other meaning. Zone letters are the
//! availability zones most accounts see (AWS maps names to physical zones per account
//! and closes some names to new accounts); a spec can always list zone names itself.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AwsRegion {
    pub code: &'static str,
    pub name: &'static str,
    /// Regions launched after March 2019 must be enabled per account before use.
    pub opt_in: bool,
    pub latitude: f64,
    pub longitude: f64,
    /// Letters of the zone names most accounts get, in order (`acd` for
    /// ap-northeast-1, whose `b` zone is closed to new accounts). Empty where the
    /// letters differ between accounts (us-west-1): such regions need explicit names.
    pub zone_letters: &'static str,
}

pub const REGIONS: &[AwsRegion] = &[
    region("af-south-1", "Africa (Cape Town)", true, -33.9, 18.4, "abc"),
    region("ap-east-1", "Asia Pacific (Hong Kong)", true, 22.3, 114.2, "abc"),
    region("ap-east-2", "Asia Pacific (Taipei)", true, 25.0, 121.5, "abc"),
    region("ap-northeast-1", "Asia Pacific (Tokyo)", false, 35.7, 139.7, "acd"),
    region("ap-northeast-2", "Asia Pacific (Seoul)", false, 37.6, 127.0, "abcd"),
    region("ap-northeast-3", "Asia Pacific (Osaka)", false, 34.7, 135.5, "abc"),
    region("ap-south-1", "Asia Pacific (Mumbai)", false, 19.1, 72.9, "abc"),
    region("ap-south-2", "Asia Pacific (Hyderabad)", true, 17.4, 78.5, "abc"),
    region("ap-southeast-1", "Asia Pacific (Singapore)", false, 1.35, 103.8, "abc"),
    region("ap-southeast-2", "Asia Pacific (Sydney)", false, -33.9, 151.2, "abc"),
    region("ap-southeast-3", "Asia Pacific (Jakarta)", true, -6.2, 106.8, "abc"),
    region("ap-southeast-4", "Asia Pacific (Melbourne)", true, -37.8, 145.0, "abc"),
    region("ap-southeast-5", "Asia Pacific (Malaysia)", true, 3.1, 101.7, "abc"),
    region(
        "ap-southeast-6",
        "Asia Pacific (New Zealand)",
        true,
        -36.8,
        174.8,
        "abc",
    ),
    region("ap-southeast-7", "Asia Pacific (Thailand)", true, 13.8, 100.5, "abc"),
    region("ca-central-1", "Canada (Central)", false, 45.5, -73.6, "abd"),
    region("ca-west-1", "Canada West (Calgary)", true, 51.0, -114.1, "abc"),
    region("eu-central-1", "Europe (Frankfurt)", false, 50.1, 8.7, "abc"),
    region("eu-central-2", "Europe (Zurich)", true, 47.4, 8.5, "abc"),
    region("eu-north-1", "Europe (Stockholm)", false, 59.3, 18.1, "abc"),
    region("eu-south-1", "Europe (Milan)", true, 45.5, 9.2, "abc"),
    region("eu-south-2", "Europe (Spain)", true, 41.6, -0.9, "abc"),
    region("eu-west-1", "Europe (Ireland)", false, 53.3, -6.3, "abc"),
    region("eu-west-2", "Europe (London)", false, 51.5, -0.1, "abc"),
    region("eu-west-3", "Europe (Paris)", false, 48.9, 2.4, "abc"),
    region("il-central-1", "Israel (Tel Aviv)", true, 32.1, 34.8, "abc"),
    region("me-central-1", "Middle East (UAE)", true, 24.5, 54.4, "abc"),
    region("me-south-1", "Middle East (Bahrain)", true, 26.1, 50.6, "abc"),
    region("mx-central-1", "Mexico (Central)", true, 20.6, -100.4, "abc"),
    region("sa-east-1", "South America (Sao Paulo)", false, -23.5, -46.6, "abc"),
    region("us-east-1", "US East (N. Virginia)", false, 39.0, -77.5, "abcdef"),
    region("us-east-2", "US East (Ohio)", false, 40.0, -83.0, "abc"),
    region("us-west-1", "US West (N. California)", false, 37.4, -121.9, ""),
    region("us-west-2", "US West (Oregon)", false, 45.8, -119.7, "abcd"),
];

const fn region(
    code: &'static str,
    name: &'static str,
    opt_in: bool,
    latitude: f64,
    longitude: f64,
    zone_letters: &'static str,
) -> AwsRegion {
    AwsRegion {
        code,
        name,
        opt_in,
        latitude,
        longitude,
        zone_letters,
    }
}

/// The first `count` usual zone names of a region, or why they cannot be chosen.
pub fn usual_zone_names(code: &str, count: usize) -> Result<Vec<String>, String> {
    let region = find(code).ok_or_else(|| format!("`{code}` is not a known region"))?;
    if region.zone_letters.is_empty() {
        return Err(format!("the zone names of {code} differ between accounts"));
    }
    if count > region.zone_letters.len() {
        return Err(format!(
            "{code} usually offers {} zones, not {count}",
            region.zone_letters.len()
        ));
    }
    Ok(region
        .zone_letters
        .chars()
        .take(count)
        .map(|letter| format!("{code}{letter}"))
        .collect())
}

pub fn find(code: &str) -> Option<&'static AwsRegion> {
    REGIONS.iter().find(|region| region.code == code)
}

pub fn codes() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|region| region.code)
}

/// Great-circle distance in kilometres between two regions.
pub fn distance_km(left: &AwsRegion, right: &AwsRegion) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (latitude_1, latitude_2) = (left.latitude.to_radians(), right.latitude.to_radians());
    let delta_latitude = latitude_2 - latitude_1;
    let delta_longitude = (right.longitude - left.longitude).to_radians();
    let haversine = (delta_latitude / 2.0).sin().powi(2)
        + latitude_1.cos() * latitude_2.cos() * (delta_longitude / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * haversine.sqrt().asin()
}

/// The region among `candidates` (other than `from`) nearest to `from`; ties go to the
/// alphabetically first code so the answer never depends on input order.
pub fn nearest<'a>(from: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let origin = find(from)?;
    candidates
        .into_iter()
        .filter(|candidate| *candidate != from)
        .filter_map(|candidate| find(candidate).map(|region| (distance_km(origin, region), candidate)))
        .min_by(|(left_distance, left_code), (right_distance, right_code)| {
            left_distance
                .total_cmp(right_distance)
                .then_with(|| left_code.cmp(right_code))
        })
        .map(|(_, code)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        let codes: Vec<_> = codes().collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn nearest_other_region_is_geographic() {
        let topology = ["us-east-1", "eu-central-1", "ap-southeast-1"];
        assert_eq!(nearest("us-east-1", topology), Some("eu-central-1"));
        assert_eq!(nearest("ap-southeast-1", topology), Some("eu-central-1"));
        assert_eq!(
            nearest("eu-west-1", ["eu-central-1", "us-east-1"]),
            Some("eu-central-1")
        );
    }
}
