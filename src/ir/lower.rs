//! The lowering entry point: a checked topology to the IR's stacks, documents and
//! governance plan. Each stack is lowered by its own file from the shared
//! [`Context`].

use super::context::Context;
use super::{Stack, StackKind, StackSet, data, docs, global, governance, regions};
use crate::spec::Topology;

/// Lowers a checked topology. `spec_file` is the spec's file name (no directories),
/// quoted in file headers. Callers must have checked the topology without errors.
pub fn lower(topology: &Topology, spec_file: &str) -> StackSet {
    let context = Context::new(topology, spec_file);
    // The stacks are independent of each other; at 32 regions the regions and data
    // stacks each take tens of milliseconds, so they are lowered on two threads.
    let (mut stacks, governance) = std::thread::scope(|scope| {
        let data_and_global = scope.spawn(|| [data::data_stack(&context), global::global_stack(&context)]);
        let mut stacks: Vec<Stack> = vec![regions::region_module(&context), regions::regions_stack(&context)];
        let governance = governance::plan(&context);
        stacks.extend(data_and_global.join().expect("lowering a stack panicked"));
        (stacks, governance)
    });
    stacks.sort_by_key(|stack| stack.kind != StackKind::Module);
    StackSet {
        documents: docs::documents(&context, &stacks),
        stacks,
        governance,
    }
}
