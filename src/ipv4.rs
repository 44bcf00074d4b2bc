//! IPv4 networks: parsing `a.b.c.d/n`, overlap tests, and carving subnets, as the
//! checker and the subnet layout of each VPC need them.

/// An IPv4 network as (address, prefix length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Network {
    pub address: u32,
    pub prefix: u8,
}

impl Ipv4Network {
    pub fn parse(text: &str) -> Result<Ipv4Network, String> {
        let (address_text, prefix_text) = text.split_once('/').ok_or_else(|| "missing `/prefix`".to_string())?;
        let prefix: u8 = prefix_text
            .parse()
            .map_err(|_| format!("`{prefix_text}` is not a prefix length"))?;
        if prefix > 32 {
            return Err(format!("prefix /{prefix} is longer than 32 bits"));
        }
        let octets: Vec<&str> = address_text.split('.').collect();
        if octets.len() != 4 {
            return Err(format!("`{address_text}` is not an IPv4 address"));
        }
        let mut address = 0u32;
        for octet in octets {
            let value: u8 = octet
                .parse()
                .map_err(|_| format!("`{octet}` is not an octet (0-255)"))?;
            address = (address << 8) | u32::from(value);
        }
        Ok(Ipv4Network { address, prefix })
    }

    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// The block with its host bits cleared: `10.10.0.1/16` becomes `10.10.0.0/16`.
    pub fn network(self) -> Ipv4Network {
        Ipv4Network {
            address: self.address & self.mask(),
            prefix: self.prefix,
        }
    }

    pub fn has_host_bits(self) -> bool {
        self.address & !self.mask() != 0
    }

    pub fn overlaps(self, other: Ipv4Network) -> bool {
        let shorter = self.prefix.min(other.prefix);
        let mask = if shorter == 0 { 0 } else { u32::MAX << (32 - shorter) };
        self.address & mask == other.address & mask
    }
}

impl Ipv4Network {
    /// The `index`-th subnet with `new_bits` more prefix bits, like Terraform's `cidrsubnet`.
    pub fn subnet(self, new_bits: u8, index: u32) -> Ipv4Network {
        let prefix = self.prefix + new_bits;
        assert!(
            prefix <= 32 && u64::from(index) < (1u64 << new_bits),
            "subnet {index}/{new_bits} does not fit /{}",
            self.prefix
        );
        let shift = 32 - u32::from(prefix);
        Ipv4Network {
            address: self.address | (index << shift),
            prefix,
        }
    }
}

impl std::fmt::Display for Ipv4Network {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.address.to_be_bytes();
        write!(formatter, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::Ipv4Network;

    #[test]
    fn networks_parse_and_overlap() {
        let a = Ipv4Network::parse("10.10.0.0/16").unwrap();
        let b = Ipv4Network::parse("10.10.128.0/17").unwrap();
        let c = Ipv4Network::parse("10.20.0.0/16").unwrap();
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(c));
        assert!(Ipv4Network::parse("10.10.0.1/16").unwrap().has_host_bits());
        assert!(Ipv4Network::parse("10.300.0.0/16").is_err());
        assert!(Ipv4Network::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn subnets_match_terraform_cidrsubnet() {
        let vpc = Ipv4Network::parse("10.10.0.0/16").unwrap();
        assert_eq!(vpc.subnet(3, 0).to_string(), "10.10.0.0/19");
        assert_eq!(vpc.subnet(3, 5).to_string(), "10.10.160.0/19");
        assert_eq!(vpc.subnet(3, 7).subnet(3, 2).to_string(), "10.10.232.0/22");
    }
}
