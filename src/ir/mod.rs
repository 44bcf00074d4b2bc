//! The IR: a typed, ordered model of the output — stacks, their files, and the blocks
//! in each file — lowered from a checked [`Topology`](crate::spec::Topology).
//!
//! Render and policy code see only this model, never the spec types. Every block
//! records the template that renders it, the region whose provider it must use (or
//! none for global and module-internal blocks), and a view: the data its template
//! reads. Views are built from the typed structs in the submodules and erased to
//! template values here, so the IR stays the one description of what gets emitted.

mod bootstrap;
mod certificates;
pub mod context;
mod dashboard;
mod data;
mod diagram;
mod docs;
pub mod encoded;
pub mod experiments;
mod gameday;
mod global;
pub mod governance;
pub mod hcl;
mod identity;
mod keys;
pub mod loss_model;
pub mod lower;
pub mod markdown;
mod region_loss;
pub mod region_switch;
pub mod region_switch_drills;
mod regions;
mod registry;
mod replication;

use std::collections::BTreeMap;

use serde::Serialize;

pub use lower::lower;

/// Every stack, in apply order (modules first, as they are not applied on their own).
#[derive(Debug)]
pub struct StackSet {
    pub stacks: Vec<Stack>,
    /// Documents that belong to no stack: `README.md`, `review/*.md`.
    pub documents: Vec<File>,
    /// What the guardrails must allow and deny; the policy phase turns it into SCPs.
    pub governance: governance::GovernancePlan,
    /// What the region-loss model finds broken; empty unless topoc has a bug.
    pub loss_violations: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StackKind {
    /// A root module with its own state, applied with `terraform apply`.
    Root,
    /// A reusable module, instantiated by a root.
    Module,
}

#[derive(Debug)]
pub struct Stack {
    /// Directory relative to the output root, e.g. `regions/eu-west-1` or `modules/region`.
    pub directory: String,
    pub kind: StackKind,
    /// Root stacks whose outputs this stack reads through `terraform_remote_state`.
    pub reads_from: Vec<String>,
    /// The regions whose APIs or state buckets planning and applying the root needs.
    pub regions: Vec<String>,
    /// Regions the root calls without a provider of its own there, and why (the AWS
    /// provider reads a DynamoDB table's replicas in their regions). Included in `regions`.
    pub implicit_needs: Vec<(String, String)>,
    /// The region of the state bucket that holds the root's state; `None` for a module
    /// and for `bootstrap`, whose state is on local disk.
    pub state_region: Option<String>,
    /// For a region's own root, that region: it may need nothing of any other region.
    pub home_region: Option<String>,
    /// What the root holds, for the README.
    pub summary: markdown::Markdown,
    pub files: Vec<File>,
}

#[derive(Debug)]
pub struct File {
    /// Path relative to its stack directory (or to the output root for documents).
    pub name: String,
    pub format: FileFormat,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Terraform: blocks are joined with a blank line and the file is formatted.
    Hcl,
    /// Markdown or other text: blocks are concatenated as rendered.
    Text,
    /// JSON: one block whose view is the document itself.
    Json,
}

#[derive(Debug)]
pub struct Block {
    /// Template path under `templates/`.
    pub template: &'static str,
    /// The region whose provider alias every resource and data block rendered from
    /// this block must use. `None` for global-service blocks, module internals and text.
    pub region: Option<String>,
    pub view: minijinja::Value,
}

impl Block {
    pub fn new(template: &'static str, region: Option<&str>, view: &impl Serialize) -> Block {
        Block {
            template,
            region: region.map(str::to_string),
            view: minijinja::Value::from(minijinja::value::Serde(view)),
        }
    }
}

impl File {
    pub fn hcl(name: &str, blocks: Vec<Block>) -> File {
        File {
            name: name.to_string(),
            format: FileFormat::Hcl,
            blocks,
        }
    }

    pub fn text(name: &str, blocks: Vec<Block>) -> File {
        File {
            name: name.to_string(),
            format: FileFormat::Text,
            blocks,
        }
    }
}

/// The provider alias of a region: `us-east-1` becomes `us_east_1`.
pub fn provider_alias(region: &str) -> String {
    region.replace('-', "_")
}

/// A Terraform identifier for a spec name: `idempotency-keys` becomes `idempotency_keys`.
pub fn identifier(name: &str) -> String {
    name.replace('-', "_")
}

/// The view of a file header comment: every generated file names its source.
#[derive(Serialize)]
pub struct Header {
    pub spec_file: String,
}

/// A sorted key/value list for templates (tags, environments).
pub fn entries(map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(key, value)| (key.clone(), value.clone())).collect()
}
