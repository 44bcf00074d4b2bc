//! The template environment: every file under `templates/`, embedded in the binary,
//! with strict undefined values and the HCL filters.
//!
//! Filters: `hcl` quotes and escapes a string; `hcl_fragment` escapes a string for use
//! inside a larger quoted string; `hcl_key` writes an object key (bare when it can be);
//! `hcl_value` writes an [`crate::ir::hcl::Value`]; `interp` wraps an expression in `${}`.
//! Every spec-derived string reaches HCL through one of them.

use std::sync::OnceLock;

use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::ir::hcl;

/// Every template, by path under `templates/`. `tests/tidy.rs` checks the list against
/// the directory so a new template cannot be forgotten.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

pub const TEMPLATES: &[(&str, &str)] = templates![
    "common/kms_policy.j2",
    "common/providers.tf.j2",
    "common/remote_state.tf.j2",
    "common/versions.tf.j2",
    "data/aurora_alarms.tf.j2",
    "data/aurora_global.tf.j2",
    "data/aurora_region.tf.j2",
    "data/dynamodb_alarm_locals.tf.j2",
    "data/dynamodb_alarms.tf.j2",
    "data/dynamodb_table.tf.j2",
    "data/outputs.tf.j2",
    "data/rds_monitoring_role.tf.j2",
    "data/s3_buckets.tf.j2",
    "data/s3_locals.tf.j2",
    "docs/readme.md.j2",
    "docs/scp-review.md.j2",
    "docs/sizing.md.j2",
    "global/accelerator.tf.j2",
    "global/alarms.tf.j2",
    "global/certificate.tf.j2",
    "global/cloudfront.tf.j2",
    "global/dns.tf.j2",
    "global/kms.tf.j2",
    "global/locals.tf.j2",
    "global/logging.tf.j2",
    "global/outputs.tf.j2",
    "global/recovery_control.tf.j2",
    "global/recovery_control_health.tf.j2",
    "global/waf.tf.j2",
    "governance/config_locals.tf.j2",
    "governance/config_region.tf.j2",
    "governance/outputs.tf.j2",
    "governance/policy.json.j2",
    "governance/scps.tf.j2",
    "module/alarms.tf.j2",
    "module/alb.tf.j2",
    "module/certificate.tf.j2",
    "module/dns.tf.j2",
    "module/ecs.tf.j2",
    "module/endpoints.tf.j2",
    "module/iam.tf.j2",
    "module/kms.tf.j2",
    "module/logging.tf.j2",
    "module/network.tf.j2",
    "module/outputs.tf.j2",
    "module/variables.tf.j2",
    "module/versions.tf.j2",
    "module/waf.tf.j2",
    "regions/certificate_validation.tf.j2",
    "regions/kms_primary.tf.j2",
    "regions/module.tf.j2",
    "regions/outputs.tf.j2",
    "regions/public_zone.tf.j2",
    "regions/variables.tf.j2",
];

/// The shared environment (built once; templates are static).
pub fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut environment = Environment::new();
        environment.set_undefined_behavior(UndefinedBehavior::Strict);
        environment.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        environment.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        for (name, source) in TEMPLATES {
            environment
                .add_template(name, source)
                .unwrap_or_else(|error| panic!("template {name} does not parse: {error:#}"));
        }
        environment.add_filter("hcl", |value: &str| hcl::quote(value));
        environment.add_filter("hcl_fragment", |value: &str| {
            let quoted = hcl::quote(value);
            quoted[1..quoted.len() - 1].to_string()
        });
        environment.add_filter("hcl_key", |value: &str| hcl::key(value));
        environment.add_filter("hcl_value", |value: Value| {
            hcl::write(&value).map_err(|message| Error::new(ErrorKind::InvalidOperation, message))
        });
        environment.add_filter("interp", |value: &str| format!("${{{value}}}"));
        environment.add_filter("json_object", |pairs: Value| -> Result<String, Error> {
            let mut object = serde_json::Map::new();
            for pair in pairs.try_iter()? {
                let key = pair.get_item(&Value::from(0))?;
                let value = pair.get_item(&Value::from(1))?;
                object.insert(key.to_string(), serde_json::Value::String(value.to_string()));
            }
            Ok(serde_json::Value::Object(object).to_string())
        });
        environment.add_filter("code", |value: &str| format!("`{value}`"));
        environment.add_filter("markdown", |value: &str| value.replace('|', "\\|").replace('\n', " "));
        environment
    })
}
