//! The template environment: every file under `templates/`, embedded in the binary,
//! with strict undefined values, the context filters, and a formatter that prints
//! nothing but numbers and text encoded for the template's own format.
//!
//! A `{{ ... }}` that prints a string fails to render: every value must go through the
//! filter of the context it lands in, so a template cannot forget to encode spec text.
//! Terraform (`*.tf.j2`): `hcl` (a quoted string), `hcl_fragment` (inside a quoted
//! string), `hcl_key` (an object key), `hcl_value` (an [`crate::ir::hcl::Value`]),
//! `hcl_ident` (a label or name, checked), `hcl_comment` (comment lines),
//! `hcl_expression` (a reference topoc built, checked) and `interp` (`${reference}`).
//! Markdown (`*.md.j2`): `md_text` (a paragraph), `md_cell` (a table cell), `md_code` (a
//! code span), `md_codes` / `md_cells` for lists, and inside code blocks `md_shell` (a
//! shell word), `sql_ident` (an SQL identifier) and `md_code_line` (any text on one
//! line). JSON (`*.json.j2`): `json_text`
//! (a document, checked). Each filter returns an [`Encoded`] of its format, and the
//! formatter prints an `Encoded` only in a template of that format.

use std::sync::OnceLock;

use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::ir::encoded::{Encoded, OutputFormat};
use crate::ir::{hcl, markdown};

/// Every template, by path under `templates/`. `tests/tidy.rs` checks the list against
/// the directory so a new template cannot be forgotten.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

pub const TEMPLATES: &[(&str, &str)] = templates![
    "bootstrap/bucket.tf.j2",
    "bootstrap/outputs.tf.j2",
    "bootstrap/replication_role.tf.j2",
    "certificates/certificate.tf.j2",
    "certificates/outputs.tf.j2",
    "certificates/zone.tf.j2",
    "common/kms_policy.tf.j2",
    "common/providers.tf.j2",
    "common/remote_state.tf.j2",
    "common/state_region.tf.j2",
    "common/versions.tf.j2",
    "data/aurora_alarms.tf.j2",
    "data/aurora_global.tf.j2",
    "data/aurora_master.tf.j2",
    "data/aurora_region.tf.j2",
    "data/dynamodb_alarm_locals.tf.j2",
    "data/dynamodb_alarms.tf.j2",
    "data/dynamodb_autoscaling.tf.j2",
    "data/dynamodb_autoscaling_locals.tf.j2",
    "data/dynamodb_table.tf.j2",
    "data/outputs.tf.j2",
    "data/s3_buckets.tf.j2",
    "data/s3_locals.tf.j2",
    "data/s3_replication_alarms.tf.j2",
    "docs/gameday.md.j2",
    "docs/readme.md.j2",
    "docs/region-loss.md.j2",
    "docs/scp-review.md.j2",
    "docs/sizing.md.j2",
    "docs/topology.svg.j2",
    "gameday/drill_document.tf.j2",
    "gameday/drill_experiment.tf.j2",
    "gameday/drill_runbook.tf.j2",
    "gameday/outputs.tf.j2",
    "global/accelerator.tf.j2",
    "global/accelerator_dns.tf.j2",
    "global/alarms.tf.j2",
    "global/certificate.tf.j2",
    "global/cloudfront.tf.j2",
    "global/dashboard.tf.j2",
    "global/dns.tf.j2",
    "global/kms.tf.j2",
    "global/locals.tf.j2",
    "global/logging.tf.j2",
    "global/outputs.tf.j2",
    "global/private_dns.tf.j2",
    "global/recovery_control.tf.j2",
    "global/recovery_control_health.tf.j2",
    "global/region_outputs.tf.j2",
    "global/region_switch.tf.j2",
    "global/region_switch_outputs.tf.j2",
    "global/routing_policy.tf.j2",
    "global/waf.tf.j2",
    "governance/config_locals.tf.j2",
    "governance/config_region.tf.j2",
    "governance/outputs.tf.j2",
    "governance/policy.json.j2",
    "governance/scps.tf.j2",
    "identity/common.tf.j2",
    "identity/gameday.tf.j2",
    "identity/outputs.tf.j2",
    "identity/rds_monitoring.tf.j2",
    "identity/region.tf.j2",
    "identity/region_switch.tf.j2",
    "identity/s3_replication.tf.j2",
    "identity/s3_replication_locals.tf.j2",
    "identity/services_locals.tf.j2",
    "keys/origin_secret.tf.j2",
    "keys/outputs.tf.j2",
    "keys/primary.tf.j2",
    "keys/region_data.tf.j2",
    "keys/replica.tf.j2",
    "module/alarms.tf.j2",
    "module/alb.tf.j2",
    "module/ecs.tf.j2",
    "module/endpoints.tf.j2",
    "module/logging.tf.j2",
    "module/network.tf.j2",
    "module/outputs.tf.j2",
    "module/variables.tf.j2",
    "module/versions.tf.j2",
    "module/waf.tf.j2",
    "regions/gameday.tf.j2",
    "regions/module.tf.j2",
    "regions/outputs.tf.j2",
    "regions/variables.tf.j2",
    "registry/replication.tf.j2",
    "replication/s3_locals.tf.j2",
    "replication/s3_replication.tf.j2",
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
        environment.set_formatter(print_encoded);
        add_hcl_filters(&mut environment);
        add_markdown_filters(&mut environment);
        environment.add_filter("json_text", |text: &str| -> Result<Value, Error> {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|error| invalid(format!("json_text: not a JSON document: {error}")))?;
            Ok(Encoded::value(OutputFormat::Json, text.to_string()))
        });
        environment.add_filter("xml_text", |text: &str| {
            Encoded::value(OutputFormat::Svg, crate::ir::encoded::xml_text(text))
        });
        environment
    })
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// The formatter of every `{{ ... }}`: numbers, and text encoded for this template's
/// format; anything else is an error naming the filters to use.
fn print_encoded(output: &mut minijinja::Output, state: &mut minijinja::State, value: &Value) -> Result<(), Error> {
    let format = OutputFormat::of_template(state.name());
    if let Some(encoded) = value.downcast_object_ref::<Encoded>() {
        if Some(encoded.format) != format {
            return Err(invalid(format!(
                "text encoded for {:?} is printed in template {} ({format:?})",
                encoded.format,
                state.name()
            )));
        }
        return output.write_str(&encoded.text).map_err(Error::from);
    }
    if value.kind() == ValueKind::Number {
        return write!(output, "{value}").map_err(Error::from);
    }
    let filters = match format {
        Some(OutputFormat::Hcl) => "hcl, hcl_ident, hcl_comment, hcl_expression, hcl_value",
        Some(OutputFormat::Markdown) => "md_text, md_cell, md_code, md_shell, sql_ident, md_code_line",
        Some(OutputFormat::Json) => "json_text",
        Some(OutputFormat::Svg) => "xml_text",
        None => "none: the template's name has no known format",
    };
    Err(invalid(format!(
        "a {} is printed without being encoded for the output; pass it through one of: {filters}",
        value.kind()
    )))
}

fn hcl_encoded(text: String) -> Value {
    Encoded::value(OutputFormat::Hcl, text)
}

fn add_hcl_filters(environment: &mut Environment<'static>) {
    environment.add_filter("hcl", |value: &str| hcl_encoded(hcl::quote(value)));
    environment.add_filter("hcl_fragment", |value: &str| {
        let quoted = hcl::quote(value);
        hcl_encoded(quoted[1..quoted.len() - 1].to_string())
    });
    environment.add_filter("hcl_key", |value: &str| hcl_encoded(hcl::key(value)));
    environment.add_filter("hcl_value", |value: Value| -> Result<Value, Error> {
        hcl::write(&value).map(hcl_encoded).map_err(invalid)
    });
    environment.add_filter("hcl_comment", |value: &str| hcl_encoded(hcl::comment(value)));
    environment.add_filter("hcl_ident", |value: &str| -> Result<Value, Error> {
        if hcl::is_identifier(value) {
            Ok(hcl_encoded(value.to_string()))
        } else {
            Err(invalid(format!("hcl_ident: {value:?} is not an identifier")))
        }
    });
    environment.add_filter("hcl_expression", |value: &str| -> Result<Value, Error> {
        hcl::check_expression(value)
            .map(|()| hcl_encoded(value.to_string()))
            .map_err(|problem| invalid(format!("hcl_expression: {value:?}: {problem}")))
    });
    environment.add_filter("interp", |value: &str| -> Result<Value, Error> {
        hcl::check_expression(value)
            .map(|()| hcl_encoded(format!("${{{value}}}")))
            .map_err(|problem| invalid(format!("interp: {value:?}: {problem}")))
    });
}

/// Separators a Markdown list may use: markup from the template, never from a value.
const MARKDOWN_SEPARATORS: &[&str] = &[", ", " or ", " and ", "; ", "<br>"];

fn markdown_encoded(text: String) -> Value {
    Encoded::value(OutputFormat::Markdown, text)
}

fn markdown_list(items: &Value, separator: &str, encode: fn(&str) -> String) -> Result<Value, Error> {
    if !MARKDOWN_SEPARATORS.contains(&separator) {
        return Err(invalid(format!(
            "a Markdown list separator must be one of {MARKDOWN_SEPARATORS:?}"
        )));
    }
    let mut texts = Vec::new();
    for item in items.try_iter()? {
        let text = item
            .as_str()
            .ok_or_else(|| invalid(format!("a Markdown list item must be a string, not a {}", item.kind())))?;
        texts.push(encode(text));
    }
    Ok(markdown_encoded(texts.join(separator)))
}

fn add_markdown_filters(environment: &mut Environment<'static>) {
    environment.add_filter("md_text", |value: &str| markdown_encoded(markdown::paragraph(value)));
    environment.add_filter("md_cell", |value: &str| markdown_encoded(markdown::cell(value)));
    environment.add_filter("md_code", |value: &str| markdown_encoded(markdown::code_span(value)));
    environment.add_filter("md_codes", |items: Value, separator: &str| {
        markdown_list(&items, separator, markdown::code_span)
    });
    environment.add_filter("md_cells", |items: Value, separator: &str| {
        markdown_list(&items, separator, markdown::cell)
    });
    environment.add_filter("md_shell", |value: &str| markdown_encoded(markdown::shell_word(value)));
    environment.add_filter("sql_ident", |value: &str| {
        markdown_encoded(markdown::sql_identifier(value))
    });
    environment.add_filter("md_code_line", |value: &str| {
        markdown_encoded(markdown::code_line(value))
    });
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::*;

    fn render(name: &str, source: &str, value: Value) -> Result<String, Error> {
        environment().render_named_str(name, source, context! { value => value })
    }

    #[test]
    fn every_template_has_an_output_format() {
        for (name, _) in TEMPLATES {
            assert!(OutputFormat::of_template(name).is_some(), "{name} has no known format");
        }
    }

    #[test]
    fn strings_print_only_through_a_filter_of_the_template_s_format() {
        let text = Value::from("x\" }\nresource \"aws_iam_user\" \"evil\" {");
        assert!(render("probe.tf.j2", "{{ value }}", text.clone()).is_err());
        assert!(render("probe.tf.j2", "{{ value | lower }}", text.clone()).is_err());
        assert!(render("probe.tf.j2", "{{ value ~ '' }}", text.clone()).is_err());
        assert!(render("probe.tf.j2", "{{ value | md_text }}", text.clone()).is_err());
        assert!(render("probe.md.j2", "{{ value | hcl }}", text.clone()).is_err());
        assert!(render("probe.tf.j2", "{{ value | hcl_ident }}", text.clone()).is_err());
        assert!(render("probe.tf.j2", "{{ value | hcl_expression }}", text.clone()).is_err());
        assert!(
            render("probe", "{{ 1 }}", text.clone()).is_ok(),
            "numbers print anywhere"
        );
        assert_eq!(
            render("probe.tf.j2", "{{ value | hcl }}", text.clone()).unwrap(),
            "\"x\\\" }\\nresource \\\"aws_iam_user\\\" \\\"evil\\\" {\""
        );
        assert_eq!(
            render("probe.tf.j2", "{{ value | hcl_comment }}", text.clone()).unwrap(),
            "# x\" }\n# resource \"aws_iam_user\" \"evil\" {"
        );
        assert_eq!(
            render("probe.md.j2", "{{ value | md_cell }}", text).unwrap(),
            "x\" }<br>resource \"aws\\_iam\\_user\" \"evil\" {"
        );
        assert_eq!(
            render("probe.json.j2", "{{ value | json_text }}", Value::from("{\"a\": 1}")).unwrap(),
            "{\"a\": 1}"
        );
        assert!(render("probe.json.j2", "{{ value | json_text }}", Value::from("{\"a\": ")).is_err());
        assert!(render("probe.md.j2", "{{ value | md_codes('|') }}", Value::from(vec!["a"])).is_err());
    }
}
