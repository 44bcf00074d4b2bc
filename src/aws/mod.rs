//! Facts about AWS that topoc needs at compile time, kept as data with their sources.

pub mod control_planes;
pub mod elb;
pub mod global_services;
pub mod iam;
pub mod quotas;
pub mod regions;
pub mod vendored;
