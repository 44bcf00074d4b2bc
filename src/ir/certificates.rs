//! The `certificates` root: each region's ALB certificate and the Route 53 records that
//! validate them. Validation records go through Route 53's control plane in us-east-1,
//! so they cannot sit in a region's own root; once issued, ACM renews a certificate
//! while its validation record stays in the zone, with no Terraform run.

use serde::Serialize;

use super::context::{CERTIFICATES_ROOT, Context};
use super::markdown::Markdown;
use super::{Block, File, Stack, provider_alias};
use crate::aws::control_planes;
use crate::naming;

#[derive(Serialize)]
struct Zone {
    alias: String,
    zone: String,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct Certificate {
    region: String,
    alias: String,
    domain: String,
    alternative_names: Vec<String>,
    names: Vec<String>,
}

#[derive(Serialize)]
struct Outputs {
    regions: Vec<(String, String)>,
}

pub(super) fn certificates_root(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let dns_region = control_planes::ROUTE53_REGION;
    let mut certificate_blocks = Vec::new();
    for region in &context.regions {
        let names = naming::regional_certificate_names(topology, region);
        certificate_blocks.push(Block::new(
            "certificates/certificate.tf.j2",
            Some(region),
            &Certificate {
                region: region.clone(),
                alias: provider_alias(region),
                domain: names[0].clone(),
                alternative_names: names[1..].to_vec(),
                names,
            },
        ));
    }
    let mut provider_regions = context.regions.clone();
    provider_regions.push(dns_region.to_string());
    context
        .root(
            CERTIFICATES_ROOT,
            None,
            &provider_regions,
            &[],
            Markdown::literal("each region's ALB certificate, validated by DNS records in the public zone (Route 53)"),
        )
        .into_stack(vec![
            File::hcl(
                "validation.tf",
                vec![Block::new(
                    "certificates/zone.tf.j2",
                    Some(dns_region),
                    &Zone {
                        alias: provider_alias(dns_region),
                        zone: topology.domain.zone.clone(),
                        regions: context.regions.iter().map(|region| provider_alias(region)).collect(),
                    },
                )],
            ),
            File::hcl("certificates.tf", certificate_blocks),
            File::hcl(
                "outputs.tf",
                vec![Block::new(
                    "certificates/outputs.tf.j2",
                    None,
                    &Outputs {
                        regions: context
                            .regions
                            .iter()
                            .map(|region| (region.clone(), provider_alias(region)))
                            .collect(),
                    },
                )],
            ),
        ])
}
