//! Facts about AWS that topoc needs at compile time, kept as data with their sources.

pub mod elb;
pub mod regions;
