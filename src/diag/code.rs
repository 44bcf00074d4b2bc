//! The registry of stable diagnostic codes.
//!
//! Codes are never renumbered or reused: a code that is retired stays in the table.
//! Each code has a kebab-case slug, a default severity, a one-line summary and a long
//! explanation that `topoc explain CODE` prints. `tests/bad/` holds at least one spec
//! that triggers each code, which `tests/bad_specs.rs` enforces.

use super::Severity;

macro_rules! codes {
    ($( $variant:ident = ($id:literal, $slug:literal, $severity:ident, $summary:literal, $explanation:literal); )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as printed, e.g. `TOPO0021`.
            pub fn id(self) -> &'static str {
                match self { $( Code::$variant => $id, )* }
            }

            pub fn slug(self) -> &'static str {
                match self { $( Code::$variant => $slug, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            pub fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explanation, )* }
            }
        }
    };
}

codes! {
    YamlSyntax = ("TOPO0001", "yaml-syntax", Error,
        "the file is not valid YAML",
        "The YAML parser could not read the file. The location is where the parser gave up;\n\
         the mistake is often just before it: a missing colon, a tab used for indentation,\n\
         an unclosed quote or bracket, or a list item indented differently from its siblings.");
    InvalidUtf8 = ("TOPO0002", "invalid-utf8", Error,
        "the file is not UTF-8 text",
        "A topology spec is a UTF-8 encoded YAML file. The file contains bytes that are not\n\
         valid UTF-8, or NUL bytes, which usually means a binary file was passed by mistake.");
    EmptySpec = ("TOPO0003", "empty-spec", Error,
        "the spec is empty",
        "The file holds no YAML document, or only comments. A spec is a mapping with at least\n\
         `topoc`, `name`, `primary_region`, `domain`, `state` and `regions`.");
    DuplicateKey = ("TOPO0004", "duplicate-key", Error,
        "a mapping has the same key twice",
        "YAML mappings must not repeat a key. Many YAML tools silently keep the last value,\n\
         which hides mistakes such as two definitions of the same region; topoc refuses the\n\
         spec instead and points at both occurrences.");
    YamlLimits = ("TOPO0005", "yaml-limits", Error,
        "the document is too large or too deeply nested after expanding aliases",
        "Aliases (`*name`) copy the node their anchor (`&name`) marks. topoc bounds the size\n\
         of the document after alias expansion and its nesting depth, so that a small file\n\
         cannot make the loader run out of memory or time (a \"billion laughs\" document).\n\
         A real topology spec stays far below these limits.");
    UnsupportedYaml = ("TOPO0006", "unsupported-yaml", Error,
        "the spec uses a YAML feature that topoc does not accept",
        "A spec is one YAML document of plain mappings, sequences and scalars. topoc rejects\n\
         several documents in one file, custom tags such as `!Ref`, keys that are not\n\
         scalars, and numbers that JSON cannot represent (`.inf`, `.nan`).");
    UnknownField = ("TOPO0007", "unknown-field", Error,
        "a field is not part of the spec language",
        "The key is not defined at this place in the spec. It is usually a typo; the hint\n\
         names the closest known field. `topoc schema` prints the full language, and editors\n\
         that read the `yaml-language-server` modeline complete field names.");
    MissingField = ("TOPO0008", "missing-field", Error,
        "a required field is missing",
        "The mapping lacks a field that has no sensible default. The hint describes the field.");
    WrongType = ("TOPO0009", "wrong-type", Error,
        "a value has the wrong type",
        "The value is, for example, a string where a number is expected. Versions such as\n\
         `16.4` must be quoted (`\"16.4\"`), or YAML reads them as numbers.");
    InvalidValue = ("TOPO0010", "invalid-value", Error,
        "a value is outside the allowed set or range",
        "The value has the right type but is not allowed here: not one of the listed choices,\n\
         outside a numeric range, too long or too short, or not in the expected format.");
    UnsupportedVersion = ("TOPO0011", "unsupported-version", Error,
        "the spec format version is not supported",
        "The `topoc` field names the version of the spec language. This topoc reads version 1.");
    TooFewRegions = ("TOPO0020", "too-few-regions", Error,
        "an active-active topology needs at least two regions",
        "In the active-active pattern every region serves live traffic and the loss of one\n\
         region is a capacity event for the others. With one region there is nothing to\n\
         absorb its loss. Add a second region under `regions`.");
    UnknownRegion = ("TOPO0021", "unknown-region", Error,
        "a region code is not a known AWS region",
        "Region codes are AWS commercial-partition codes such as `us-east-1` or `eu-central-1`.\n\
         The list topoc knows is in src/aws/regions.rs, with the date it was last checked.");
    TrafficSum = ("TOPO0022", "traffic-sum", Error,
        "the regions' traffic shares do not sum to 1",
        "Each region's `traffic` is the share of global peak load it serves in steady state.\n\
         The shares must sum to 1 (within 0.000001), because the N+1 sizing divides the global\n\
         peak among the regions with them.");
    OverlappingCidrs = ("TOPO0023", "overlapping-cidrs", Error,
        "two regions' VPC CIDR blocks overlap",
        "Each region gets its own VPC. Overlapping ranges make it impossible to peer or route\n\
         between the VPCs later (for operations tooling, migrations or a transit gateway),\n\
         so topoc requires disjoint ranges from the start.");
    UnknownResidencyClass = ("TOPO0024", "unknown-residency-class", Error,
        "a data class names a residency class that is not defined",
        "A data class's `residency` must be a key of the top-level `residency` mapping.");
    ResidencyUnsatisfiable = ("TOPO0025", "residency-unsatisfiable", Error,
        "no topology region may hold this data class",
        "A data class may live only in the regions of its residency class that are also\n\
         regions of the topology. This intersection is empty, so the class cannot be placed.\n\
         Add a permitted region to the topology, or change the class's residency.");
    ReplicaOutsideResidency = ("TOPO0026", "replica-outside-residency", Error,
        "a data class would be placed in a region it is not permitted in",
        "A data class that lists its regions explicitly may only name topology regions that\n\
         its residency class permits. A replica outside the class would move personal or\n\
         regulated data out of its jurisdiction, which the governance SCPs also deny.");
    AuroraWriterCount = ("TOPO0027", "aurora-writer-count", Error,
        "an Aurora data class must have exactly one writer region",
        "Aurora Global Database has one writer region; the others hold read-only secondaries\n\
         that replicate at the storage layer. Name exactly one region in `writer`. Use write\n\
         forwarding for writes issued in secondary regions, or DynamoDB for data that every\n\
         region must write locally.");
    AuroraWriterPlacement = ("TOPO0028", "aurora-writer-placement", Error,
        "the Aurora writer region is not a region this data class may live in",
        "The writer must be one of the topology's regions and permitted by the class's\n\
         residency (and listed in `regions` when the class lists its regions).");
    StrongConsistencyInDynamodb = ("TOPO0029", "strong-consistency-in-dynamodb", Error,
        "data that needs strong consistency or uniqueness is placed in DynamoDB",
        "DynamoDB global tables replicate asynchronously and resolve concurrent writes to one\n\
         item with last-writer-wins: two regions can both accept a write that a strongly\n\
         consistent store would reject (a duplicate username, an overdrawn balance). Put data\n\
         that needs one truth (ledgers, orders, unique constraints) in Aurora with one writer.");
    InPlaceCounter = ("TOPO0030", "in-place-counter", Error,
        "a counter is mutated in place from several regions",
        "Incrementing one item in two regions at once loses increments: each region reads,\n\
         adds and writes, and last-writer-wins keeps one of the two results. Keep one counter\n\
         item per region (`conflicts: per-region-counter`) and sum them when reading.");
    DnsOnlyFailover = ("TOPO0031", "dns-only-failover", Warning,
        "a latency-critical, non-cacheable service relies on DNS alone to fail over",
        "Clients and resolvers cache DNS answers, often beyond the record's TTL, so a region\n\
         loss keeps some clients pointed at the failed region for minutes. Global Accelerator\n\
         moves traffic within seconds using anycast IPs. List the service in `edge.accelerator`.");
    SingleDeployWave = ("TOPO0032", "single-deploy-wave", Warning,
        "every region is in the same deploy wave",
        "Deploying every region at once turns a bad release into a global outage. Give the\n\
         regions different `deploy_wave` numbers so a release reaches one wave at a time.");
    DnsTtlTooHigh = ("TOPO0033", "dns-ttl-too-high", Warning,
        "the DNS TTL is above 60 seconds",
        "After a health check fails, resolvers keep the old answer for the TTL. Above 60 s\n\
         traffic keeps reaching a failed region for longer than the pattern's recovery target.");
    NPlusOne = ("TOPO0034", "n-plus-one", Warning,
        "a region cannot absorb the loss of another region at its steady task count",
        "N+1 sizing: when region j is lost, region i serves its own share of the global peak\n\
         plus the part of j's share routed to it: all of it when i is j's nearest survivor\n\
         (latency or geoproximity routing, Global Accelerator, CloudFront failover), a share\n\
         in proportion to the weights with weighted routing. Right after the loss, before\n\
         autoscaling adds tasks, region i runs its steady task count. Above 100% utilization requests fail or queue until the scale-out lands.\n\
         Lower `steady_utilization`, raise `min_tasks`, or accept the window knowingly.");
    UnknownService = ("TOPO0035", "unknown-service", Error,
        "a service name is not defined under `services`",
        "The name must be a key of the top-level `services` mapping.");
    UnknownDataClass = ("TOPO0036", "unknown-data-class", Error,
        "a data class name is not defined under `data`",
        "A service's `data` list names the data classes its tasks read and write; each must be\n\
         a key of the top-level `data` mapping. The task role is scoped to exactly these.");
    PrimaryRegion = ("TOPO0037", "primary-region", Error,
        "the primary region is not one of the topology's regions",
        "`primary_region` is where the topology's multi-Region KMS primary key lives, and the\n\
         default hub for hub-and-spoke replication. It must be a key of `regions`.");
    FargateSize = ("TOPO0038", "fargate-size", Error,
        "the CPU and memory pair is not a valid Fargate task size",
        "Fargate accepts fixed combinations of task CPU units and memory (MiB), for example\n\
         256 CPU with 512-2048 MiB, 1024 CPU with 2048-8192 MiB in 1024 steps, 4096 CPU with\n\
         8192-30720 MiB in 1024 steps.");
    DuplicatePath = ("TOPO0039", "duplicate-path", Error,
        "two services claim the same routing path",
        "Each service gets an ALB listener rule and a CloudFront cache behaviour for its `path`.\n\
         Two services with one path would make one of them unreachable.");
    DomainMismatch = ("TOPO0040", "domain-mismatch", Error,
        "the application domain is not inside the hosted zone",
        "`domain.app` must be the zone apex or a name under `domain.zone`, because its records\n\
         and certificate validation records are created in that zone.");
    NameTooLong = ("TOPO0041", "name-too-long", Error,
        "a generated AWS resource name would exceed its length limit",
        "topoc derives resource names from the topology name and the names of services and\n\
         data classes. ALB target groups allow 32 characters, load balancers 32, DynamoDB\n\
         tables and S3 buckets 255 and 63. Shorten the topology or the service name.");
    RequiredTagMissing = ("TOPO0042", "required-tag-missing", Error,
        "a governance-required tag has no value",
        "`governance.required_tags` lists the tags that the AWS Config rules and SCPs require\n\
         on every resource. topoc sets `data-residency` itself; every other required tag needs\n\
         a value under the top-level `tags` mapping, so that the provider's default tags carry it.");
    CidrSize = ("TOPO0043", "cidr-size", Error,
        "a VPC CIDR block has an unsupported size",
        "topoc splits each VPC into a public and a private subnet per availability zone,\n\
         which needs a prefix between /16 and /20.");
    WriteForwardingUnsupported = ("TOPO0044", "write-forwarding-unsupported", Error,
        "write forwarding is not available for this engine version",
        "With `write_forwarding`, every region's tasks write through their own cluster's\n\
         reader endpoint: a secondary cluster forwards the writes to the primary region\n\
         (global write forwarding) and the primary cluster's readers forward them to its\n\
         writer (local write forwarding), so the same names keep working after a switchover\n\
         moves the writer. Both need Aurora PostgreSQL 14.13+, 15.8+ or 16.4+, or Aurora\n\
         MySQL 3.04+.");
    UnusedDataClass = ("TOPO0045", "unused-data-class", Warning,
        "no service uses this data class",
        "No service lists the data class under `data`, so no task role can reach it.");
    S3HubPlacement = ("TOPO0046", "s3-hub-placement", Error,
        "the hub of a hub-and-spoke bucket is not a region the class may live in",
        "The hub region must be a topology region permitted by the class's residency.");
    SingleRegionData = ("TOPO0047", "single-region-data", Warning,
        "a data class lives in only one region",
        "Only one topology region may hold the class, so there are no replicas: other regions\n\
         reach it across regions, and its loss takes the class offline. This is usually a\n\
         residency decision; make sure it is an intended one.");
    RoutingOptionMismatch = ("TOPO0048", "routing-option-mismatch", Warning,
        "a routing option has no effect with the chosen routing policy",
        "`geoproximity_bias` applies only to `edge.routing: geoproximity`.");
    AvailabilityZones = ("TOPO0049", "availability-zones", Error,
        "the region's availability zones cannot be chosen as written",
        "A count of zones maps to the zone names most accounts get in that region (for\n\
         example ap-northeast-1a, 1c and 1d). Where names differ between accounts (us-west-1),\n\
         or the count exceeds the usual zones, list the names instead; listed names must belong\n\
         to the region. AWS maps zone names to physical zones per account, so check\n\
         `aws ec2 describe-availability-zones` in the target account.");
    ScpSlots = ("TOPO0050", "scp-slots", Error,
        "a target cannot take the SCPs the topology needs",
        "Every root, OU and account accepts a limited number of attached SCPs (10 since\n\
         2026-05-15, 5 before), and SCPs other tools attach - FullAWSAccess, Control Tower's\n\
         guardrails - take slots too. topoc counts the SCPs it generates plus\n\
         `governance.attached_scps` for each target and refuses a target that would overflow.\n\
         Attach to another level (a parent OU applies to everything below it), detach unused\n\
         SCPs, or raise `governance.scp_quota.policies_per_target` if AWS raised yours.");
    ScpSize = ("TOPO0051", "scp-size", Error,
        "a policy statement does not fit the SCP size quota",
        "SCPs are limited in size, counted on the minified JSON (10,240 characters since\n\
         2026-05-15). topoc splits each function's statements across as many policies as\n\
         needed, but one statement must fit on its own; long lists of exempt roles are the\n\
         usual cause.");
    DeploymentRoleMissing = ("TOPO0052", "deployment-role-missing", Error,
        "SCPs protect the topology but no deployment role is exempt",
        "The protection SCP denies the API actions that could disable point-in-time recovery,\n\
         deletion protection or replication on the topology's tables, databases and buckets.\n\
         Terraform needs the same actions to create them, so the pipeline's role must be listed\n\
         under `governance.deployment_roles`.");
    UnknownScpTarget = ("TOPO0053", "unknown-scp-target", Error,
        "attached SCPs are declared for a target that is not an SCP target",
        "Keys of `governance.attached_scps` must be entries of `governance.scp_targets`.");
    AuroraRegionLimit = ("TOPO0054", "aurora-region-limit", Error,
        "an Aurora data class spans more regions than a global database can",
        "An Aurora global database has one primary cluster and at most 10 secondary clusters,\n\
         each in a different region (Aurora user guide, \"Configuration requirements of an\n\
         Amazon Aurora global database\"). A class placed in more than 11 regions would fail\n\
         when Terraform adds the twelfth cluster. List the regions that need the data under\n\
         the class's `regions`; services elsewhere reach it across regions.");
    EdgeQuota = ("TOPO0055", "edge-quota", Warning,
        "the edge needs more of an AWS resource than the default quota allows",
        "Each service adds a cache behavior to the CloudFront distribution and a listener rule\n\
         (two with Global Accelerator) to every region's ALB. By default CloudFront allows 25\n\
         cache behaviors per distribution and an ALB 100 rules besides its default one; both\n\
         quotas are adjustable. Each region's ALB certificate carries the region's name, the\n\
         two shared origin names, one name per service behind Global Accelerator and one or two\n\
         per service placed in some regions only; ACM allows 10 names per certificate by\n\
         default (adjustable to 100). Ask AWS for the increase before applying, or group\n\
         services under fewer paths.");
    InvalidTag = ("TOPO0056", "invalid-tag", Error,
        "a tag key or value is one AWS or topoc cannot apply",
        "Tags reach every resource through the providers' default tags, so a tag one service\n\
         rejects fails the apply of the first resource of that service. The common rule of\n\
         AWS's tagging APIs (for example IAM's tag value pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,\n\
         and ECS's \"Tag\" reference): keys of 1 to 128 and values of up to 256 Unicode\n\
         characters, each a letter, a digit, a space or one of `_ . : / = + - @`; neither a key\n\
         nor a value may start with `aws:` in any case, which AWS reserves. topoc sets the keys\n\
         `topology`, `region`, `data-residency`, `managed-by`, `data-class` and `key-class`\n\
         itself, so the spec may not set them under `tags`.");
    UnusedResidencyClass = ("TOPO0057", "unused-residency-class", Warning,
        "no data class uses this residency class",
        "A residency class only has an effect through the data classes that name it in their\n\
         `residency`: it places them and keys the residency SCPs and Config rules. A class no\n\
         data class names generates nothing, which is usually a typo in a data class or a\n\
         leftover.");
    ResidencyRegionOutsideTopology = ("TOPO0058", "residency-region-outside-topology", Warning,
        "a residency class permits a region that is not a region of the topology",
        "Data of a residency class is placed only in topology regions the class permits. A\n\
         permitted region outside `regions` receives no copy; the residency SCPs still allow it.\n\
         That is right when the class is shared with other systems; otherwise the region is a\n\
         typo or a region the topology was meant to include.");
    WriteFromReadOnlyService = ("TOPO0059", "write-from-read-only-service", Error,
        "a read-only or cacheable service is given write access to a data class",
        "A `read_only` service serves only GET, HEAD and OPTIONS, whose responses CloudFront\n\
         may retry in another region, and a `cacheable` service's responses may be served from\n\
         CloudFront's cache: neither may change data. Their classes default to `read` access,\n\
         which grants no write action; `read-write` on such a service is refused. Make the\n\
         service neither read-only nor cacheable, or give it `read` access.");
    ServiceRegionOutsideTopology = ("TOPO0060", "service-region-outside-topology", Error,
        "a service is placed in a region that is not a region of the topology",
        "A service's `regions` choose among the topology's `regions`; a service cannot run\n\
         where the topology has no VPC, ALB or data.");
    SingleRegionService = ("TOPO0061", "single-region-service", Warning,
        "a service runs in only one region",
        "The service's `regions` name one region, so the loss of that region takes the service\n\
         down: no other region can absorb its traffic, and the edge has no other origin for its\n\
         path. List a second region if the service must survive a region loss.");
    DynamodbTableSettings = ("TOPO0062", "dynamodb-table-settings", Error,
        "a DynamoDB class's capacity or indexes cannot be created as written",
        "`capacity.mode: provisioned` needs `read` and `write` unit ranges with `min` at most\n\
         `max`, because AWS accepts a provisioned global table only with autoscaling\n\
         (DynamoDB developer guide, \"Throughput capacity planning for DynamoDB global\n\
         tables\"); `on-demand` takes no unit ranges. Every key attribute of the table and its\n\
         indexes has one type: two keys that name the same attribute must give it the same\n\
         type, since a table declares each attribute once. An index may not repeat the\n\
         table's own keys, and at most 20 global secondary indexes fit a table by default.");
    ProvisionedIndexDrift = ("TOPO0063", "provisioned-index-drift", Warning,
        "Terraform will not apply later changes to the indexes of a provisioned table",
        "Autoscaling changes the provisioned units of a table's global secondary indexes, and\n\
         the AWS provider cannot ignore the units of an index without ignoring the index\n\
         itself (terraform-aws-modules/terraform-aws-dynamodb-table #72). topoc therefore\n\
         ignores `global_secondary_index` on provisioned tables with indexes: the indexes are\n\
         created with the table, but an index added, removed or changed in the spec later is\n\
         not applied. Use `capacity.mode: on-demand`, or change indexes with the AWS CLI and\n\
         then in the spec.");
    StateRegion = ("TOPO0064", "state-region", Error,
        "the state region is not a region of the topology",
        "Each topology region has its own state bucket (`<state.bucket>-<region>`), and the\n\
         roots that span regions keep their state in the bucket of `state.region`. A region\n\
         outside the topology has no bucket, so `state.region` must be one of `regions`.");
    ImageRegistry = ("TOPO0065", "image-registry", Error,
        "an image cannot be pulled from each region's own registry",
        "With `images.replication: ecr` (the default) topoc replicates one Amazon ECR registry\n\
         into every topology region, and with `published` the build pushes every image to each\n\
         region's registry; either way each region's tasks pull the same repository from their\n\
         own region, so a region can start tasks while another is down. That needs every\n\
         `image` to be an ECR repository (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`),\n\
         and for `ecr` all in one registry, the one replication copies from. For images in\n\
         another registry, set `images.replication: single`.");
    SingleRegistry = ("TOPO0066", "single-registry", Warning,
        "every region pulls its images from one registry",
        "With `images.replication: single` every region's tasks pull from the repository\n\
         written under `image`. While that registry's region (or host) is unreachable, no\n\
         region can start a task: not a replacement, and not the extra tasks N+1 sizing counts\n\
         on to absorb a region's loss. Replicate the registry (`ecr`) or publish each image in\n\
         every region (`published`) instead.");
    FargateQuota = ("TOPO0067", "fargate-quota", Warning,
        "a region may need more Fargate vCPUs than its quota allows",
        "After another region's loss, autoscaling takes a region's services to their N+1\n\
         maximum task counts, and a release then starts a full new set of tasks before it stops\n\
         the old ones. If those vCPUs exceed the account's Fargate On-Demand vCPU quota in the\n\
         region, ECS cannot place the tasks and the survivor stays overloaded. topoc assumes the\n\
         default Service Quotas lists; new accounts often have far less. Check the applied\n\
         quota, ask for an increase, and write it as `regions.<region>.fargate_vcpu_quota`.");
    DataOutOfReach = ("TOPO0068", "data-out-of-reach", Error,
        "a service runs in a region that has no copy of a data class it uses",
        "Each region's tasks reach only the copies of their data classes in that region: the\n\
         table replica, the bucket, the Aurora cluster. A region without a copy (the class's\n\
         `regions` or its residency keep it elsewhere) would still receive the service's\n\
         requests, and every request that needs the class would fail there, including the\n\
         traffic it takes over when another region is lost. Place the service only in the\n\
         class's regions (`services.<name>.regions`), or give the class a copy in the region.");
    AuroraWritePath = ("TOPO0069", "aurora-write-path", Error,
        "a service writes an Aurora class in a region that cannot send writes to the writer",
        "An Aurora global database has one writer region. Tasks in another region reach only\n\
         their own region's cluster: its security group admits local tasks, `rds-db:connect`\n\
         names local clusters, and no peering or Transit Gateway joins the VPCs. A secondary\n\
         cluster commits a write only when write forwarding sends it to the primary, so a\n\
         service that writes the class in another region needs `write_forwarding: true` on the\n\
         class (every cluster then forwards, whichever region holds the writer after a\n\
         switchover), or `read` access, or placement in the writer region only.");
    AlarmsNotifyNobody = ("TOPO0070", "alarms-notify-nobody", Warning,
        "no one is subscribed to the alarm topics",
        "Every alarm topoc emits (region health, replication latency and lag, 5xx rates,\n\
         failover counts) publishes to an SNS topic: the edge's in us-east-1 and one per\n\
         region. Without a subscriber an alarm changes state and pages nobody. List the\n\
         on-call mailbox or the SNS integration URL of your incident tool under\n\
         `observability.notify`; each entry subscribes to every topic.");
}

impl Code {
    /// Finds a code by its id (`TOPO0021`, case-insensitive) or slug (`unknown-region`).
    pub fn parse(text: &str) -> Option<Code> {
        let wanted = text.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.id().eq_ignore_ascii_case(wanted) || code.slug() == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_and_slugs_are_unique_and_well_formed() {
        let mut ids = BTreeSet::new();
        let mut slugs = BTreeSet::new();
        for code in Code::ALL {
            assert!(ids.insert(code.id()), "duplicate id {}", code.id());
            assert!(slugs.insert(code.slug()), "duplicate slug {}", code.slug());
            assert!(code.id().starts_with("TOPO") && code.id().len() == 8);
            assert!(!code.summary().ends_with('.'));
            assert!(code.explanation().ends_with('.'));
        }
    }

    #[test]
    fn parse_accepts_ids_and_slugs() {
        assert_eq!(Code::parse("topo0021"), Some(Code::UnknownRegion));
        assert_eq!(Code::parse("unknown-region"), Some(Code::UnknownRegion));
        assert_eq!(Code::parse("TOPO9999"), None);
    }
}
