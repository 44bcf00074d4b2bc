//! The lowering entry point: a checked topology to the IR's stacks, documents and
//! governance plan. Each root is lowered by its own file from the shared [`Context`];
//! this file puts them in apply order.

use super::context::Context;
use super::{
    Stack, StackSet, bootstrap, certificates, data, docs, global, governance, identity, keys, regions, registry,
    replication,
};
use crate::spec::Topology;

/// Lowers a checked topology. `spec_file` is the spec's file name (no directories),
/// quoted in file headers. Callers must have checked the topology without errors.
///
/// The apply order: `bootstrap` (the state buckets), then (inserted by the policy phase)
/// `governance`, `keys`, `identity`, `certificates`, `registry`, `data`, each region's
/// root (writers of Aurora global databases before their secondaries), `global`,
/// `replication` and `gameday`. Every root reads only roots before it.
pub fn lower(topology: &Topology, spec_file: &str) -> StackSet {
    let context = Context::new(topology, spec_file);
    let (region_order, _) = context.region_apply_order();
    let loss_model = super::loss_model::model(&context);
    let region_switch = super::region_switch::plans(&context, &loss_model);
    let experiments = super::experiments::experiments(&context);
    // The region roots are independent of each other and, at 32 regions, half the work:
    // they (and `replication`) are lowered on a second thread while the rest is here.
    let (mut stacks, global, region_roots, replication, governance) = std::thread::scope(|scope| {
        let region_roots = scope.spawn(|| {
            let roots: Vec<Stack> = region_order
                .iter()
                .map(|region| {
                    regions::region_root(
                        &context,
                        region,
                        data::region_data(&context, region),
                        &experiments[region],
                    )
                })
                .collect();
            (roots, replication::replication_root(&context))
        });
        let mut stacks: Vec<Stack> = vec![
            regions::region_module(&context),
            bootstrap::bootstrap_root(&context),
            keys::keys_root(&context),
            identity::identity_root(&context, &region_switch),
            certificates::certificates_root(&context),
        ];
        stacks.extend(registry::registry_root(&context));
        stacks.extend(data::data_root(&context));
        let global = global::global_root(&context, &region_switch);
        let governance = governance::plan(&context, &region_switch);
        let (region_roots, replication) = region_roots.join().expect("lowering a region root panicked");
        (stacks, global, region_roots, replication, governance)
    });
    stacks.extend(region_roots);
    // `global` reads every region root.
    stacks.push(global);
    // S3 checks every destination bucket exists with versioning on.
    stacks.extend(replication);
    // Last: the drills read `global` (the plans) and nothing reads them.
    stacks.extend(super::region_switch_drills::gameday_root(&context, &region_switch));
    StackSet {
        documents: docs::documents(
            &context,
            &stacks,
            &governance,
            &loss_model,
            &region_switch,
            &experiments,
        ),
        loss_violations: super::loss_model::violations(&loss_model),
        stacks,
        governance,
    }
}
