//! Layers 6 and 7: the SCPs are valid, small enough and made of real actions and
//! condition keys; and, by evaluation, they deny none of the API calls the generated
//! Terraform makes in its regions, while they do deny what the residency rules promise.
//!
//! The API calls are read from the rendered Terraform itself: every resource block,
//! in the region of its provider (or, inside the region module, of each module
//! instance), is mapped to the calls that create it, with the request context those
//! calls carry (replica regions, location constraints, tags).

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::Block;

use super::parsed::{self, ParsedFile, ParsedStack, attribute, labels, string_literal, traversal_path};
use crate::aws::iam;
use crate::aws::regions as aws_regions;
use crate::ir::StackKind;
use crate::ir::governance::GovernancePlan;
use crate::policy::evaluate::{Evaluator, Request};
use crate::policy::scp::Scp;
use crate::render::{InternalError, Rendered};

/// Resource types whose requests are built from literal arguments (names, tags,
/// replica regions): a `for_each` over them must be readable, or the evaluation would
/// check placeholder names.
const NAMED_BY_LITERALS: &[&str] = &[
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_rds_cluster",
    "aws_rds_global_cluster",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
];

/// The account topoc uses in the ARNs of evaluated requests.
const ACCOUNT: &str = "111111111111";

const KNOWN_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "ArnLike",
    "ArnNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "Bool",
    "Null",
];

pub fn validate(rendered: &Rendered, scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    validate_stacks(&parse(rendered), scps, plan)
}

/// [`validate`] on stacks already parsed by the other layers.
pub fn validate_stacks(stacks: &[ParsedStack], scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    let mut errors = check_documents(scps, plan);
    let principal = format!(
        "arn:aws:iam::{ACCOUNT}:role/{}",
        plan.deployment_roles.first().map_or("topoc-deployer", String::as_str)
    );
    let requests = terraform_requests(stacks, &principal, &mut errors);
    let evaluator = Evaluator::new(scps);
    for request in &requests {
        if let Some((policy, sid)) = evaluator.denied_by(request) {
            errors.push(InternalError {
                file: format!(
                    "governance/policies/{}.json",
                    policy.strip_prefix(&format!("{}-", plan.topology)).unwrap_or(&policy)
                ),
                line: None,
                rule: "scp-denies-deployment".to_string(),
                message: format!(
                    "statement `{sid}` denies {} ({} in {}), which the generated Terraform needs",
                    request.action, request.description, request.region
                ),
            });
        }
    }
    for (request, promise) in residency_probes(plan, &principal) {
        if evaluator.denied_by(&request).is_none() {
            errors.push(InternalError {
                file: "governance/policies".to_string(),
                line: None,
                rule: "scp-residency".to_string(),
                message: format!(
                    "no statement denies {} ({}), which {promise}",
                    request.action, request.description
                ),
            });
        }
    }
    errors
}

fn parse(rendered: &Rendered) -> Vec<ParsedStack> {
    let files = rendered
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".tf"))
        .filter_map(|(path, file)| ParsedFile::parse(path, &file.text, &file.blocks).ok())
        .collect();
    parsed::group(&rendered.stacks, files)
}

/// Layer 6: each document is well formed, fits the quota and uses real actions and keys.
fn check_documents(scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for scp in scps {
        let file = format!("governance/policies/{}", scp.file);
        let mut error = |rule: &str, message: String| {
            errors.push(InternalError {
                file: file.clone(),
                line: None,
                rule: rule.to_string(),
                message,
            });
        };
        let size = scp.document.minified().chars().count();
        if size > plan.quota.characters_per_policy as usize {
            error(
                "scp-size",
                format!(
                    "{} characters minified, over the quota of {}",
                    size, plan.quota.characters_per_policy
                ),
            );
        }
        if scp.document.version != "2012-10-17" {
            error("scp-syntax", "Version must be 2012-10-17".to_string());
        }
        let mut sids = std::collections::BTreeSet::new();
        for statement in &scp.document.statements {
            if !statement.sid.chars().all(|character| character.is_ascii_alphanumeric())
                || !sids.insert(statement.sid.clone())
            {
                error(
                    "scp-syntax",
                    format!("Sid `{}` is not unique and alphanumeric", statement.sid),
                );
            }
            if statement.action.is_empty() == statement.not_action.is_empty() {
                error(
                    "scp-syntax",
                    format!("`{}` needs exactly one of Action and NotAction", statement.sid),
                );
            }
            if statement.resource.is_empty() == statement.not_resource.is_empty() {
                error(
                    "scp-syntax",
                    format!("`{}` needs exactly one of Resource and NotResource", statement.sid),
                );
            }
            let actions = if statement.not_action.is_empty() {
                &statement.action.0
            } else {
                &statement.not_action.0
            };
            for action in actions {
                if !iam::names_an_action(action) {
                    error(
                        "scp-action",
                        format!("`{}` names `{action}`, which matches no IAM action", statement.sid),
                    );
                }
            }
            for (operator, keys) in &statement.condition {
                let base = operator.split_once(':').map_or(operator.as_str(), |(_, base)| base);
                let base = base.strip_suffix("IfExists").unwrap_or(base);
                if !KNOWN_OPERATORS.contains(&base) {
                    error(
                        "scp-condition",
                        format!("`{}` uses unknown operator `{operator}`", statement.sid),
                    );
                }
                for key in keys.keys() {
                    // Keys under NotAction must be global; under Action, every action must support them.
                    let known = if statement.not_action.is_empty() {
                        statement
                            .action
                            .0
                            .iter()
                            .all(|action| iam::condition_key_exists(action, key))
                    } else {
                        iam::condition_key_exists("none:None", key)
                    };
                    if !known {
                        error(
                            "scp-condition",
                            format!(
                                "`{}` uses condition key `{key}`, which its actions do not support",
                                statement.sid
                            ),
                        );
                    }
                }
            }
        }
    }
    errors
}

/// A resource block with its literal arguments, as far as the requests need them. A
/// block with `for_each` over a literal map becomes one `Resource` per entry, whose
/// `each.key` and `each.value.<field>` read as literals too.
struct Resource<'a> {
    block: &'a Block,
    kind: String,
    name: String,
    region: String,
    instance_key: Option<String>,
    instance_value: Option<&'a Expression>,
}

impl Resource<'_> {
    fn literal(&self, name: &str) -> Option<String> {
        attribute(&self.block.body, name).and_then(|expression| self.value_of(expression))
    }

    /// A string literal, or `each.key` / `each.value.<field>` of this instance.
    fn value_of(&self, expression: &Expression) -> Option<String> {
        if let Some(text) = string_literal(expression) {
            return Some(text);
        }
        let path = traversal_path(expression)?;
        match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["each", "key"] => self.instance_key.clone(),
            ["each", "value", field] => {
                let Some(Expression::Object(object)) = self.instance_value else {
                    return None;
                };
                object.iter().find_map(|(key, value)| {
                    (object_key_name(key)? == *field)
                        .then(|| string_literal(value.expr()))
                        .flatten()
                })
            }
            _ => None,
        }
    }

    fn tag(&self, key: &str) -> Option<String> {
        let Some(Expression::Object(tags)) = attribute(&self.block.body, "tags") else {
            return None;
        };
        tags.iter().find_map(|(object_key, value)| {
            (object_key_name(object_key)? == key)
                .then(|| self.value_of(value.expr()))
                .flatten()
        })
    }

    /// `kind.name` or `kind.name["key"]`, the way Terraform addresses the instance.
    fn terraform_address(&self) -> String {
        match &self.instance_key {
            Some(key) => format!("{}.{}[\"{key}\"]", self.kind, self.name),
            None => format!("{}.{}", self.kind, self.name),
        }
    }

    fn address(&self) -> String {
        format!("{} ({})", self.terraform_address(), self.region)
    }
}

fn object_key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
        ObjectKey::Expression(expression) => string_literal(expression),
    }
}

/// The entries a `for_each` expression iterates, when they can be read from the
/// stack's text: a literal map, a `local` holding one, another resource's instances,
/// or a `for` expression that keeps keys and values (filtering is ignored, so the
/// evaluation covers a superset). Values are `None` where `each.value` is not the
/// map entry (another resource's instances).
fn for_each_entries<'a>(
    expression: &'a Expression,
    locals: &BTreeMap<String, &'a Expression>,
    resources: &BTreeMap<(String, String), &'a Block>,
    depth: usize,
) -> Option<Vec<(String, Option<&'a Expression>)>> {
    if depth > 8 {
        return None;
    }
    match expression {
        Expression::Object(object) => object
            .iter()
            .map(|(key, value)| Some((object_key_name(key)?, Some(value.expr()))))
            .collect(),
        Expression::ForExpr(for_expression) => {
            let intro = &for_expression.intro;
            let key_variable = intro.key_var.as_ref()?.as_str();
            let value_variable = intro.value_var.as_str();
            let keeps_keys = matches!(for_expression.key_expr.as_ref()?, Expression::Variable(variable) if variable.as_str() == key_variable);
            let keeps_values = matches!(&for_expression.value_expr, Expression::Variable(variable) if variable.as_str() == value_variable);
            if !keeps_keys || !keeps_values {
                return None;
            }
            for_each_entries(&intro.collection_expr, locals, resources, depth + 1)
        }
        _ => {
            let path = traversal_path(expression)?;
            match path.as_slice() {
                [local, name] if local == "local" => for_each_entries(locals.get(name)?, locals, resources, depth + 1),
                [kind, name] => {
                    let block = resources.get(&(kind.clone(), name.clone()))?;
                    let entries = for_each_entries(attribute(&block.body, "for_each")?, locals, resources, depth + 1)?;
                    Some(entries.into_iter().map(|(key, _)| (key, None)).collect())
                }
                _ => None,
            }
        }
    }
}

/// A stack's locals by name, and its resource blocks by (type, name).
type StackSymbols<'a> = (BTreeMap<String, &'a Expression>, BTreeMap<(String, String), &'a Block>);

/// Locals and resource blocks of a stack, by name, for [`for_each_entries`].
fn stack_symbols(stack: &ParsedStack) -> StackSymbols<'_> {
    let mut locals = BTreeMap::new();
    let mut resources = BTreeMap::new();
    for file in &stack.files {
        for block in file.top_level_blocks() {
            match (block.ident.as_str(), labels(block).as_slice()) {
                ("locals", []) => {
                    for attribute in block.body.attributes() {
                        locals.insert(attribute.key.as_str().to_string(), &attribute.value);
                    }
                }
                ("resource", [kind, name]) => {
                    resources.insert((kind.to_string(), name.to_string()), block);
                }
                _ => {}
            }
        }
    }
    (locals, resources)
}

fn provider_regions(stack: &ParsedStack) -> BTreeMap<String, String> {
    let mut aliases = BTreeMap::new();
    for file in &stack.files {
        for block in file.top_level_blocks() {
            if block.ident.as_str() == "provider"
                && let (Some(alias), Some(region)) = (
                    attribute(&block.body, "alias").and_then(string_literal),
                    attribute(&block.body, "region").and_then(string_literal),
                )
            {
                aliases.insert(alias, region);
            }
        }
    }
    aliases
}

fn terraform_requests(stacks: &[ParsedStack], principal: &str, errors: &mut Vec<InternalError>) -> Vec<Request> {
    let mut resources: Vec<Resource<'_>> = Vec::new();
    let mut module_regions: Vec<String> = Vec::new();
    let mut key_tags: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut module_keys: Vec<(String, String)> = Vec::new();
    for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Root) {
        let aliases = provider_regions(stack);
        let (locals, stack_resources) = stack_symbols(stack);
        for file in &stack.files {
            for block in file.top_level_blocks() {
                let block_labels = labels(block);
                let alias = |body: &hcl::edit::structure::Body, attribute_name: &str| {
                    attribute(body, attribute_name)
                        .and_then(traversal_path)
                        .and_then(|path| path.get(1).and_then(|alias| aliases.get(alias)).cloned())
                };
                match (block.ident.as_str(), block_labels.as_slice()) {
                    ("resource", [kind, name]) => {
                        if stack.directory == "governance" {
                            // Applied from the management account, which SCPs never restrict.
                            continue;
                        }
                        let Some(region) = alias(&block.body, "provider") else {
                            continue;
                        };
                        let instances: Vec<(Option<String>, Option<&Expression>)> = match attribute(
                            &block.body,
                            "for_each",
                        ) {
                            None => vec![(None, None)],
                            Some(for_each) => match for_each_entries(for_each, &locals, &stack_resources, 0) {
                                Some(entries) => entries.into_iter().map(|(key, value)| (Some(key), value)).collect(),
                                None if NAMED_BY_LITERALS.contains(kind) => {
                                    errors.push(file.error(
                                            block.span(),
                                            "scp-coverage",
                                            format!(
                                                "the instances of {kind}.{name} cannot be read from its `for_each`, so the SCP evaluation cannot name them"
                                            ),
                                        ));
                                    continue;
                                }
                                // Requests of other types do not depend on instance values.
                                None => vec![(None, None)],
                            },
                        };
                        for (instance_key, instance_value) in instances {
                            let resource = Resource {
                                block,
                                kind: kind.to_string(),
                                name: name.to_string(),
                                region: region.clone(),
                                instance_key,
                                instance_value,
                            };
                            if *kind == "aws_kms_key" {
                                key_tags.insert(
                                    name.to_string(),
                                    (resource.region.clone(), resource.tag("data-residency")),
                                );
                            }
                            resources.push(resource);
                        }
                    }
                    ("module", [_]) => {
                        let region = match attribute(&block.body, "providers") {
                            Some(Expression::Object(object)) => object.iter().find_map(|(_, value)| {
                                traversal_path(value.expr())
                                    .and_then(|path| path.get(1).and_then(|alias| aliases.get(alias)).cloned())
                            }),
                            _ => None,
                        };
                        let Some(region) = region else { continue };
                        if let Some(Expression::Object(keys)) = attribute(&block.body, "kms_primary_key_arns") {
                            for (_, value) in keys.iter() {
                                if let Some(path) = traversal_path(value.expr())
                                    && path.len() >= 2
                                {
                                    module_keys.push((path[1].clone(), region.clone()));
                                }
                            }
                        }
                        module_regions.push(region);
                    }
                    _ => {}
                }
            }
        }
    }
    let buckets: BTreeMap<String, String> = resources
        .iter()
        .filter(|resource| resource.kind == "aws_s3_bucket")
        .filter_map(|resource| Some((resource.terraform_address(), resource.literal("bucket")?)))
        .collect();
    let mut requests = Vec::new();
    for resource in &resources {
        requests.extend(requests_for(resource, principal, &buckets, errors));
    }
    for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Module) {
        for region in &module_regions {
            for file in &stack.files {
                for block in file.top_level_blocks() {
                    if let ("resource", [kind, name]) = (block.ident.as_str(), labels(block).as_slice()) {
                        if *kind == "aws_kms_replica_key" {
                            continue;
                        }
                        let resource = Resource {
                            block,
                            kind: kind.to_string(),
                            name: format!("{name} in module"),
                            region: region.clone(),
                            instance_key: None,
                            instance_value: None,
                        };
                        requests.extend(requests_for(&resource, principal, &buckets, errors));
                    }
                }
            }
        }
    }
    // Replica keys: ReplicateKey is called in the primary's region, naming the replica's.
    for (key, replica_region) in module_keys {
        let Some((home, tag)) = key_tags.get(&key) else {
            continue;
        };
        let mut request = Request::new(
            format!("replica of aws_kms_key.{key} in {replica_region}"),
            "kms:ReplicateKey",
            home,
            principal,
        )
        .resource(format!("arn:aws:kms:{home}:{ACCOUNT}:key/mrk-0000"))
        .key("kms:ReplicaRegion", &[replica_region.as_str()]);
        if let Some(tag) = tag {
            request = request.key("aws:ResourceTag/data-residency", &[tag.as_str()]);
        }
        requests.push(request);
    }
    requests
}

/// The API calls that create one resource, in its region.
fn requests_for(
    resource: &Resource<'_>,
    principal: &str,
    buckets: &BTreeMap<String, String>,
    errors: &mut Vec<InternalError>,
) -> Vec<Request> {
    let region = resource.region.as_str();
    let request = |action: &str| Request::new(resource.address(), action, region, principal);
    let single = |action: &str| vec![request(action)];
    match resource.kind.as_str() {
        "aws_dynamodb_table" => {
            let name = resource.literal("name").unwrap_or_default();
            let arn = |table_region: &str| format!("arn:aws:dynamodb:{table_region}:{ACCOUNT}:table/{name}");
            let mut requests: Vec<Request> = [
                "dynamodb:CreateTable",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:UpdateTimeToLive",
                "dynamodb:UpdateTable",
            ]
            .iter()
            .map(|action| request(action).resource(arn(region)))
            .collect();
            for (replica_region, _) in parsed::nested_literals(&resource.block.body, "replica", &["region_name"]) {
                let Some(replica_region) = replica_region else {
                    errors.push(InternalError {
                        file: "src/validate/policies.rs".to_string(),
                        line: None,
                        rule: "scp-coverage".to_string(),
                        message: format!(
                            "a replica region of {} is not a literal, so the SCP evaluation cannot check it",
                            resource.address()
                        ),
                    });
                    continue;
                };
                {
                    requests.push(
                        Request::new(
                            resource.address(),
                            "dynamodb:CreateTableReplica",
                            &replica_region,
                            principal,
                        )
                        .resource(arn(&replica_region)),
                    );
                }
            }
            requests
        }
        "aws_kms_key" => {
            let mut create = request("kms:CreateKey").key("kms:MultiRegion", &["true"]);
            if let Some(tag) = resource.tag("data-residency") {
                create = create
                    .key("aws:RequestTag/data-residency", &[tag.as_str()])
                    .key("aws:TagKeys", &["data-residency"]);
            }
            vec![create]
        }
        "aws_secretsmanager_secret" => {
            let replicas: Vec<String> = resource
                .block
                .body
                .get_blocks("replica")
                .filter_map(|replica| attribute(&replica.body, "region").and_then(string_literal))
                .collect();
            let replica_refs: Vec<&str> = replicas.iter().map(String::as_str).collect();
            let mut create = request("secretsmanager:CreateSecret")
                .resource(format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:x"));
            if !replica_refs.is_empty() {
                create = create.key("secretsmanager:AddReplicaRegions", &replica_refs);
            }
            if let Some(tag) = resource.tag("data-residency") {
                create = create.key("aws:RequestTag/data-residency", &[tag.as_str()]);
            }
            vec![create]
        }
        "aws_s3_bucket" => {
            let bucket = resource
                .literal("bucket")
                .unwrap_or_else(|| "module-bucket".to_string());
            let mut create = request("s3:CreateBucket").resource(format!("arn:aws:s3:::{bucket}"));
            if region != "us-east-1" {
                create = create.key("s3:locationconstraint", &[region]);
            }
            vec![create]
        }
        "aws_s3_bucket_replication_configuration" => single("s3:PutReplicationConfiguration")
            .into_iter()
            .map(|request| request.resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))))
            .collect(),
        "aws_s3_bucket_versioning" => {
            vec![request("s3:PutBucketVersioning").resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets)))]
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            vec![
                request("s3:PutEncryptionConfiguration")
                    .resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))),
            ]
        }
        "aws_s3_bucket_public_access_block" => vec![
            request("s3:PutBucketPublicAccessBlock").resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))),
        ],
        "aws_rds_global_cluster" => {
            let id = resource.literal("global_cluster_identifier").unwrap_or_default();
            vec![request("rds:CreateGlobalCluster").resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{id}"))]
        }
        "aws_rds_cluster" => {
            let id = resource.literal("cluster_identifier").unwrap_or_default();
            let global = id
                .rsplit_once(&format!("-{region}"))
                .map(|(global, _)| global.to_string())
                .unwrap_or_default();
            vec![
                request("rds:CreateDBCluster")
                    .resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}"))
                    .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}")),
                request("rds:ModifyDBCluster").resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}")),
            ]
        }
        kind => match simple_action(kind) {
            Some((action, endpoint_region)) => {
                let mut request =
                    Request::new(resource.address(), action, endpoint_region.unwrap_or(region), principal);
                if request.resources.is_empty() {
                    request = request.resource("*");
                }
                vec![request]
            }
            None => {
                errors.push(InternalError {
                    file: "src/validate/policies.rs".to_string(),
                    line: None,
                    rule: "scp-coverage".to_string(),
                    message: format!(
                        "no API action is mapped for resource type `{kind}`; add it so the SCP evaluation covers it"
                    ),
                });
                Vec::new()
            }
        },
    }
}

/// The bucket a bucket sub-resource configures: `bucket = aws_s3_bucket.<name>.id` or
/// `aws_s3_bucket.<name>[each.key].id` names a bucket whose literal name `buckets` maps
/// from its Terraform address.
fn bucket_of(resource: &Resource<'_>, buckets: &BTreeMap<String, String>) -> String {
    let Some(Expression::Traversal(traversal)) = attribute(&resource.block.body, "bucket") else {
        return "module-bucket".to_string();
    };
    let Expression::Variable(root) = &traversal.expr else {
        return "module-bucket".to_string();
    };
    let mut address = root.as_str().to_string();
    for operator in &traversal.operators {
        match operator.value() {
            TraversalOperator::GetAttr(ident) if ident.as_str() == "id" => break,
            TraversalOperator::GetAttr(ident) => {
                address.push('.');
                address.push_str(ident.as_str());
            }
            TraversalOperator::Index(index) => match resource.value_of(index) {
                Some(key) => address.push_str(&format!("[\"{key}\"]")),
                None => return "module-bucket".to_string(),
            },
            _ => return "module-bucket".to_string(),
        }
    }
    buckets
        .get(&address)
        .cloned()
        .unwrap_or_else(|| "module-bucket".to_string())
}

/// The one API action that creates a resource of `kind`, and the region its endpoint
/// is in when the service is global.
fn simple_action(kind: &str) -> Option<(&'static str, Option<&'static str>)> {
    const US_EAST_1: Option<&str> = Some("us-east-1");
    const US_WEST_2: Option<&str> = Some("us-west-2");
    Some(match kind {
        "aws_vpc" => ("ec2:CreateVpc", None),
        "aws_subnet" => ("ec2:CreateSubnet", None),
        "aws_internet_gateway" => ("ec2:CreateInternetGateway", None),
        "aws_eip" => ("ec2:AllocateAddress", None),
        "aws_nat_gateway" => ("ec2:CreateNatGateway", None),
        "aws_route_table" => ("ec2:CreateRouteTable", None),
        "aws_route" => ("ec2:CreateRoute", None),
        "aws_route_table_association" => ("ec2:AssociateRouteTable", None),
        "aws_default_security_group" => ("ec2:RevokeSecurityGroupIngress", None),
        "aws_security_group" => ("ec2:CreateSecurityGroup", None),
        "aws_vpc_security_group_ingress_rule" => ("ec2:AuthorizeSecurityGroupIngress", None),
        "aws_vpc_security_group_egress_rule" => ("ec2:AuthorizeSecurityGroupEgress", None),
        "aws_vpc_endpoint" => ("ec2:CreateVpcEndpoint", None),
        "aws_flow_log" => ("ec2:CreateFlowLogs", None),
        "aws_cloudwatch_log_group" => ("logs:CreateLogGroup", None),
        "aws_cloudwatch_metric_alarm" => ("cloudwatch:PutMetricAlarm", None),
        "aws_cloudwatch_log_delivery_source" => ("logs:PutDeliverySource", None),
        "aws_cloudwatch_log_delivery_destination" => ("logs:PutDeliveryDestination", None),
        "aws_cloudwatch_log_delivery" => ("logs:CreateDelivery", None),
        "aws_sns_topic" => ("sns:CreateTopic", None),
        "aws_iam_role" => ("iam:CreateRole", US_EAST_1),
        "aws_iam_role_policy" => ("iam:PutRolePolicy", US_EAST_1),
        "aws_iam_role_policy_attachment" => ("iam:AttachRolePolicy", US_EAST_1),
        "aws_route53_zone" => ("route53:CreateHostedZone", US_EAST_1),
        "aws_route53_record" => ("route53:ChangeResourceRecordSets", US_EAST_1),
        "aws_route53_health_check" => ("route53:CreateHealthCheck", US_EAST_1),
        "aws_acm_certificate" => ("acm:RequestCertificate", None),
        "aws_acm_certificate_validation" => ("acm:DescribeCertificate", None),
        "aws_lb" => ("elasticloadbalancing:CreateLoadBalancer", None),
        "aws_lb_listener" => ("elasticloadbalancing:CreateListener", None),
        "aws_lb_target_group" => ("elasticloadbalancing:CreateTargetGroup", None),
        "aws_lb_listener_rule" => ("elasticloadbalancing:CreateRule", None),
        "aws_wafv2_web_acl" => ("wafv2:CreateWebACL", None),
        "aws_wafv2_web_acl_association" => ("wafv2:AssociateWebACL", None),
        "aws_wafv2_web_acl_logging_configuration" => ("wafv2:PutLoggingConfiguration", None),
        "aws_ecs_cluster" => ("ecs:CreateCluster", None),
        "aws_ecs_task_definition" => ("ecs:RegisterTaskDefinition", None),
        "aws_ecs_service" => ("ecs:CreateService", None),
        "aws_appautoscaling_target" => ("application-autoscaling:RegisterScalableTarget", None),
        "aws_appautoscaling_policy" => ("application-autoscaling:PutScalingPolicy", None),
        "aws_s3_bucket_ownership_controls" => ("s3:PutBucketOwnershipControls", None),
        "aws_s3_bucket_lifecycle_configuration" => ("s3:PutLifecycleConfiguration", None),
        "aws_s3_bucket_policy" => ("s3:PutBucketPolicy", None),
        "aws_s3_bucket_logging" => ("s3:PutBucketLogging", None),
        "aws_rds_cluster_instance" => ("rds:CreateDBInstance", None),
        "aws_rds_cluster_parameter_group" => ("rds:CreateDBClusterParameterGroup", None),
        "aws_db_subnet_group" => ("rds:CreateDBSubnetGroup", None),
        "aws_secretsmanager_secret_version" => ("secretsmanager:PutSecretValue", None),
        "aws_cloudfront_distribution" => ("cloudfront:CreateDistribution", US_EAST_1),
        "aws_globalaccelerator_accelerator" => ("globalaccelerator:CreateAccelerator", US_WEST_2),
        "aws_globalaccelerator_listener" => ("globalaccelerator:CreateListener", US_WEST_2),
        "aws_globalaccelerator_endpoint_group" => ("globalaccelerator:CreateEndpointGroup", US_WEST_2),
        "aws_route53recoverycontrolconfig_cluster" => ("route53-recovery-control-config:CreateCluster", US_WEST_2),
        "aws_route53recoverycontrolconfig_control_panel" => {
            ("route53-recovery-control-config:CreateControlPanel", US_WEST_2)
        }
        "aws_route53recoverycontrolconfig_routing_control" => {
            ("route53-recovery-control-config:CreateRoutingControl", US_WEST_2)
        }
        "aws_route53recoverycontrolconfig_safety_rule" => {
            ("route53-recovery-control-config:CreateSafetyRule", US_WEST_2)
        }
        _ => return None,
    })
}

/// Requests the residency policies promise to deny: for each class, a replica key, a
/// table replica, a bucket, a database and a secret replica in a region the class may
/// not use (every topology region outside the class, and one region outside both).
fn residency_probes(plan: &GovernancePlan, principal: &str) -> Vec<(Request, String)> {
    let mut probes = Vec::new();
    for class in &plan.residency {
        let mut regions: Vec<String> = plan
            .workload_regions
            .iter()
            .filter(|region| !class.permitted.contains(region))
            .cloned()
            .collect();
        if let Some(outside) = aws_regions::REGIONS
            .iter()
            .map(|region| region.code.to_string())
            .find(|code| !class.permitted.contains(code) && !plan.workload_regions.contains(code))
        {
            regions.push(outside);
        }
        let home = class
            .permitted
            .iter()
            .find(|region| plan.workload_regions.contains(region))
            .cloned()
            .unwrap_or_default();
        let promise = format!("the residency policy of `{}` promises to deny", class.name);
        for region in &regions {
            probes.push((
                Request::new(
                    format!("replica of the `{}` key in {region}", class.name),
                    "kms:ReplicateKey",
                    &home,
                    principal,
                )
                .resource(format!("arn:aws:kms:{home}:{ACCOUNT}:key/mrk-0000"))
                .key("kms:ReplicaRegion", &[region.as_str()])
                .key("aws:ResourceTag/data-residency", &[class.name.as_str()]),
                promise.clone(),
            ));
            for table in &class.tables {
                probes.push((
                    Request::new(
                        format!("replica of `{table}` in {region}"),
                        "dynamodb:CreateTableReplica",
                        region,
                        principal,
                    )
                    .resource(format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}")),
                    promise.clone(),
                ));
            }
            for pattern in &class.bucket_patterns {
                let bucket = pattern.replace('*', region);
                let mut request = Request::new(format!("bucket `{bucket}`"), "s3:CreateBucket", region, principal)
                    .resource(format!("arn:aws:s3:::{bucket}"));
                if region != "us-east-1" {
                    request = request.key("s3:locationconstraint", &[region.as_str()]);
                }
                probes.push((request, promise.clone()));
            }
            for (pattern, global) in class.cluster_patterns.iter().zip(&class.global_clusters) {
                let cluster = pattern.replace('*', region);
                probes.push((
                    Request::new(
                        format!("Aurora secondary `{cluster}`"),
                        "rds:CreateDBCluster",
                        region,
                        principal,
                    )
                    .resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{cluster}"))
                    .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}")),
                    promise.clone(),
                ));
            }
            for secret in &class.secrets {
                probes.push((
                    Request::new(
                        format!("replica of secret `{secret}` in {region}"),
                        "secretsmanager:ReplicateSecretToRegions",
                        &home,
                        principal,
                    )
                    .resource(format!("arn:aws:secretsmanager:{home}:{ACCOUNT}:secret:{secret}"))
                    .key("secretsmanager:AddReplicaRegions", &[region.as_str()])
                    .key("aws:ResourceTag/data-residency", &[class.name.as_str()]),
                    promise.clone(),
                ));
            }
        }
    }
    // The region deny itself: a network outside the allowed regions.
    if let Some(outside) = aws_regions::REGIONS
        .iter()
        .map(|region| region.code)
        .find(|code| !plan.allowed_regions.iter().any(|allowed| allowed == code))
    {
        probes.push((
            Request::new(format!("a VPC in {outside}"), "ec2:CreateVpc", outside, principal).resource("*"),
            "the region-deny policy promises to deny".to_string(),
        ));
    }
    probes
}
