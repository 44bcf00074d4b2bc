//! Layer 4: every reference resolves inside its root. Variables, locals, resources,
//! data sources, ephemeral resources and module calls must be declared in the stack;
//! module arguments must be variables of the module and module outputs must exist;
//! `terraform_remote_state` outputs must be declared by the producing stack, which
//! must come earlier in the apply order; `each` needs a `for_each`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::template::{Directive, Element, Template};

use super::StackFacts;
use super::parsed::{Site, attribute, directory_of, labels, object_key_name, string_literal};
use crate::render::{InternalError, StackInfo};

#[derive(Default)]
struct Declarations {
    /// Variable name → whether it has a default.
    variables: BTreeMap<String, bool>,
    locals: BTreeSet<String>,
    outputs: BTreeSet<String>,
    resources: BTreeSet<(String, String)>,
    data: BTreeSet<(String, String)>,
    ephemeral: BTreeSet<(String, String)>,
    /// Module call name → directory of its source, relative to the output root.
    modules: BTreeMap<String, String>,
    /// Remote state name → producing stack directory (its state key, until [`check`]
    /// matches it against the stacks).
    remote_states: BTreeMap<String, String>,
}

impl Declarations {
    /// Records what one top-level block of a file in `directory` declares.
    fn add(&mut self, block: &Block, directory: &str) {
        let block_labels = labels(block);
        match (block.ident.as_str(), block_labels.as_slice()) {
            ("variable", [name]) => {
                self.variables
                    .insert(name.to_string(), block.body.has_attribute("default"));
            }
            ("output", [name]) => {
                self.outputs.insert(name.to_string());
            }
            ("locals", []) => {
                self.locals.extend(
                    block
                        .body
                        .attributes()
                        .map(|attribute| attribute.key.as_str().to_string()),
                );
            }
            ("resource", [kind, name]) => {
                self.resources.insert((kind.to_string(), name.to_string()));
            }
            ("data", [kind, name]) => {
                self.data.insert((kind.to_string(), name.to_string()));
                if *kind == "terraform_remote_state"
                    && let Some(Expression::Object(config)) = attribute(&block.body, "config")
                {
                    for (key, value) in config.iter() {
                        if object_key_name(key).as_deref() == Some("key")
                            && let Some(state_key) = string_literal(value.expr())
                        {
                            // The state key until the stacks' directories are known.
                            self.remote_states.insert(name.to_string(), state_key);
                        }
                    }
                }
            }
            ("ephemeral", [kind, name]) => {
                self.ephemeral.insert((kind.to_string(), name.to_string()));
            }
            ("module", [name]) => {
                let source = attribute(&block.body, "source")
                    .and_then(string_literal)
                    .unwrap_or_default();
                self.modules
                    .insert(name.to_string(), resolve_source(directory, &source));
            }
            _ => {}
        }
    }

    fn merge(&mut self, other: &Declarations) {
        self.variables
            .extend(other.variables.iter().map(|(name, default)| (name.clone(), *default)));
        self.locals.extend(other.locals.iter().cloned());
        self.outputs.extend(other.outputs.iter().cloned());
        self.resources.extend(other.resources.iter().cloned());
        self.data.extend(other.data.iter().cloned());
        self.ephemeral.extend(other.ephemeral.iter().cloned());
        self.modules.extend(other.modules.clone());
        self.remote_states.extend(other.remote_states.clone());
    }
}

/// What one file declares, and the references and module calls in it that can only be
/// resolved against the declarations of its whole stack (and of other stacks).
#[derive(Default)]
pub struct FileFacts {
    declared: Declarations,
    /// Each reference as its dotted names (as many as resolving reads) and its line.
    references: Vec<(String, Option<usize>)>,
    module_calls: Vec<ModuleCall>,
}

/// A `module` block: its name, line, and the arguments it sets with their lines.
struct ModuleCall {
    name: String,
    line: Option<usize>,
    arguments: Vec<(String, Option<usize>)>,
}

impl FileFacts {
    /// Records one top-level block: its declarations, its references (those that need
    /// no declarations, such as `each` outside a `for_each` block, are checked here).
    pub fn add(&mut self, site: &Site<'_>, block: &Block, errors: &mut Vec<InternalError>) {
        self.declared.add(block, directory_of(site.file.path));
        let mut checker = BlockChecker {
            site,
            facts: self,
            errors,
        };
        checker.check_top_level(block);
    }
}

/// `../modules/region` from `regions` is `modules/region`.
fn resolve_source(directory: &str, source: &str) -> String {
    let mut parts: Vec<&str> = directory.split('/').filter(|part| !part.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// One name a reference starts from, and the attribute names that follow it.
struct Reference {
    path: Vec<String>,
    span: Option<Range<usize>>,
}

/// Resolves every file's references and module calls against the declarations of its
/// stack and of the stacks it reads, and checks the stacks form a DAG in apply order.
pub fn check(stacks: &[StackFacts], infos: &[StackInfo]) -> Vec<InternalError> {
    let directories: Vec<&str> = stacks.iter().map(|stack| stack.directory.as_str()).collect();
    let declared: BTreeMap<&str, Declarations> = stacks
        .iter()
        .map(|stack| {
            let mut declarations = Declarations::default();
            for file in &stack.files {
                declarations.merge(&file.references.declared);
            }
            for producer in declarations.remote_states.values_mut() {
                *producer = producer_of(producer, &directories);
            }
            (stack.directory.as_str(), declarations)
        })
        .collect();
    let mut errors = Vec::new();
    let order: Vec<&str> = infos.iter().map(|info| info.directory.as_str()).collect();
    for stack in stacks {
        let own = &declared[stack.directory.as_str()];
        let info = infos.iter().find(|info| info.directory == stack.directory);
        for file in &stack.files {
            let error = |line: Option<usize>, message: String| InternalError {
                file: file.path.clone(),
                line,
                rule: "reference".to_string(),
                message,
            };
            for (reference, line) in &file.references.references {
                if let Some(problem) = resolve(reference, own, &declared) {
                    errors.push(error(*line, problem));
                }
            }
            for call in &file.references.module_calls {
                errors.extend(
                    check_module_call(call, own, &declared)
                        .into_iter()
                        .map(|(line, rule, message)| InternalError {
                            rule: rule.to_string(),
                            ..error(line, message)
                        }),
                );
            }
        }
        // The DAG: each remote state reads a stack that is declared as an input and is
        // applied earlier.
        for (name, producer) in &own.remote_states {
            let position = order.iter().position(|directory| directory == producer);
            let own_position = order.iter().position(|directory| *directory == stack.directory);
            let declared_input = info.is_some_and(|info| info.reads_from.iter().any(|input| input == producer));
            let problem = match (position, own_position) {
                (None, _) => Some(format!(
                    "remote state `{name}` reads stack `{producer}`, which topoc does not generate"
                )),
                (Some(producer_position), Some(own_position)) if producer_position >= own_position => Some(format!(
                    "remote state `{name}` reads `{producer}`, which is applied after `{}`",
                    stack.directory
                )),
                _ if !declared_input => Some(format!(
                    "remote state `{name}` reads `{producer}`, which the IR does not list as an input of `{}`",
                    stack.directory
                )),
                _ => None,
            };
            if let Some(message) = problem {
                errors.push(InternalError {
                    file: format!("{}/remote_state.tf", stack.directory),
                    line: None,
                    rule: "stack-dag".to_string(),
                    message,
                });
            }
        }
    }
    errors
}

/// The stack whose state a remote state's key names: `<prefix>/<directory>.tfstate`,
/// matched against every stack directory (the longest wins, as a prefix may hold
/// slashes); the key itself when none matches.
fn producer_of(key: &str, directories: &[&str]) -> String {
    directories
        .iter()
        .filter(|directory| {
            key.strip_suffix(".tfstate")
                .and_then(|stem| stem.strip_suffix(**directory))
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
        })
        .max_by_key(|directory| directory.len())
        .map_or_else(|| key.to_string(), |directory| (*directory).to_string())
}

/// A module call's problems: a source topoc does not generate, arguments that are not
/// variables of the module, variables without a default that are not set.
fn check_module_call(
    call: &ModuleCall,
    own: &Declarations,
    all: &BTreeMap<&str, Declarations>,
) -> Vec<(Option<usize>, &'static str, String)> {
    let name = &call.name;
    let Some(directory) = own.modules.get(name) else {
        return Vec::new();
    };
    let Some(module) = all.get(directory.as_str()) else {
        return vec![(
            call.line,
            "module-source",
            format!("module `{name}` has source `{directory}`, which topoc does not generate"),
        )];
    };
    let mut problems = Vec::new();
    for (key, line) in &call.arguments {
        if !module.variables.contains_key(key) {
            problems.push((*line, "reference", format!("module `{name}` has no variable `{key}`")));
        }
    }
    for (variable, has_default) in &module.variables {
        if !has_default && !call.arguments.iter().any(|(key, _)| key == variable) {
            problems.push((
                call.line,
                "reference",
                format!("module `{name}` needs variable `{variable}`, which is not set"),
            ));
        }
    }
    problems
}

/// `None` when a reference to a declared name (`var`, `local`, `module`, `data`,
/// `ephemeral` or a resource) resolves; otherwise what is wrong.
fn resolve(text: &str, own: &Declarations, all: &BTreeMap<&str, Declarations>) -> Option<String> {
    let path: Vec<&str> = text.split('.').collect();
    let second = path.get(1).copied().unwrap_or_default().to_string();
    let third = path.get(2).copied().unwrap_or_default().to_string();
    match path[0] {
        "var" => {
            (!own.variables.contains_key(&second)).then(|| format!("`{text}`: no variable `{second}` in this stack"))
        }
        "local" => {
            (!own.locals.contains(&second)).then(|| format!("`{text}`: no local value `{second}` in this stack"))
        }
        "module" => match own.modules.get(&second) {
            None => Some(format!("`{text}`: no module `{second}` in this stack")),
            Some(directory) => {
                let outputs = all.get(directory.as_str()).map(|module| &module.outputs);
                (!third.is_empty() && !outputs.is_some_and(|outputs| outputs.contains(&third)))
                    .then(|| format!("`{text}`: module `{second}` ({directory}) has no output `{third}`"))
            }
        },
        "data" => {
            if !own.data.contains(&(second.clone(), third.clone())) {
                return Some(format!("`{text}`: no data source `{second}.{third}` in this stack"));
            }
            if second == "terraform_remote_state" {
                let producer = own.remote_states.get(&third)?;
                if path.get(3).copied() != Some("outputs") {
                    return Some(format!("`{text}`: read remote state through `.outputs`"));
                }
                let output = path.get(4)?;
                let producer_outputs = all.get(producer.as_str()).map(|stack| &stack.outputs);
                if !producer_outputs.is_some_and(|outputs| outputs.contains(*output)) {
                    return Some(format!("`{text}`: stack `{producer}` declares no output `{output}`"));
                }
            }
            None
        }
        "ephemeral" => (!own.ephemeral.contains(&(second.clone(), third.clone())))
            .then(|| format!("`{text}`: no ephemeral resource `{second}.{third}` in this stack")),
        kind => (!own.resources.contains(&(kind.to_string(), second.clone())))
            .then(|| format!("`{text}`: no resource `{kind}.{second}` in this stack")),
    }
}

/// Walks one top-level block: references that need no declarations are checked at once,
/// the others are kept in the file's facts.
struct BlockChecker<'a, 'f, 'e> {
    site: &'a Site<'a>,
    facts: &'f mut FileFacts,
    errors: &'e mut Vec<InternalError>,
}

impl BlockChecker<'_, '_, '_> {
    fn check_top_level(&mut self, block: &Block) {
        let has_for_each = block.body.has_attribute("for_each");
        let has_count = block.body.has_attribute("count");
        let mut scope = Scope {
            names: Vec::new(),
            each: has_for_each,
            count: has_count,
        };
        if block.ident.as_str() == "module" {
            const META: &[&str] = &["source", "version", "providers", "count", "for_each", "depends_on"];
            self.facts.module_calls.push(ModuleCall {
                name: labels(block).first().map(|label| label.to_string()).unwrap_or_default(),
                line: self.site.line_of(block.span()),
                arguments: block
                    .body
                    .attributes()
                    .filter(|attribute| !META.contains(&attribute.key.as_str()))
                    .map(|attribute| (attribute.key.as_str().to_string(), self.site.line_of(attribute.span())))
                    .collect(),
            });
        }
        if block.ident.as_str() == "provider" {
            return;
        }
        for structure in block.body.iter() {
            match structure {
                // Provider configurations are checked by the provider layer.
                Structure::Attribute(attribute) if matches!(attribute.key.as_str(), "provider" | "providers") => {}
                // A variable's `type` is a type constraint, not an expression.
                Structure::Attribute(attribute)
                    if block.ident.as_str() == "variable" && attribute.key.as_str() == "type" => {}
                Structure::Attribute(attribute) => self.check_expression(&attribute.value, &mut scope),
                Structure::Block(nested) => self.check_nested_block(nested, &mut scope),
            }
        }
    }

    fn check_body(&mut self, body: &Body, scope: &mut Scope) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => self.check_expression(&attribute.value, scope),
                Structure::Block(block) => self.check_nested_block(block, scope),
            }
        }
    }

    fn check_nested_block(&mut self, block: &Block, scope: &mut Scope) {
        match block.ident.as_str() {
            "dynamic" => {
                if let Some(for_each) = attribute(&block.body, "for_each") {
                    self.check_expression(for_each, scope);
                }
                let iterator = attribute(&block.body, "iterator")
                    .and_then(super::parsed::traversal_path)
                    .and_then(|path| path.first().cloned())
                    .or_else(|| labels(block).first().map(|label| label.to_string()))
                    .unwrap_or_default();
                for content in block.body.get_blocks("content") {
                    scope.names.push(iterator.clone());
                    self.check_body(&content.body, scope);
                    scope.names.pop();
                }
            }
            "lifecycle" => {
                // `ignore_changes` lists attribute names, not references.
                for attribute in block.body.attributes() {
                    if attribute.key.as_str() != "ignore_changes" {
                        self.check_expression(&attribute.value, scope);
                    }
                }
            }
            _ => self.check_body(&block.body, scope),
        }
    }

    fn check_expression(&mut self, expression: &Expression, scope: &mut Scope) {
        let mut references = Vec::new();
        collect(expression, &mut scope.names, &mut references);
        for reference in references {
            let line = self.site.line_of(reference.span.clone());
            let path = &reference.path;
            let problem = match path[0].as_str() {
                "each" => (!scope.each).then(|| format!("`{}` used in a block without `for_each`", path.join("."))),
                "count" => (!scope.count).then(|| format!("`{}` used in a block without `count`", path.join("."))),
                "path" | "terraform" => None,
                "self" => Some("`self` is only valid in provisioners".to_string()),
                "var" | "local" | "module" | "data" | "ephemeral" => {
                    self.defer(path, line);
                    None
                }
                kind if kind.contains('_') => {
                    self.defer(path, line);
                    None
                }
                other => Some(format!(
                    "`{}`: `{other}` is not a name Terraform knows here",
                    path.join(".")
                )),
            };
            if let Some(problem) = problem {
                self.errors.push(InternalError {
                    file: self.site.file.path.to_string(),
                    line,
                    rule: "reference".to_string(),
                    message: problem,
                });
            }
        }
    }

    /// Keeps a reference for [`check`], with at most the five names resolving reads
    /// (`data.terraform_remote_state.<name>.outputs.<output>`).
    fn defer(&mut self, path: &[String], line: Option<usize>) {
        let names = &path[..path.len().min(5)];
        self.facts.references.push((names.join("."), line));
    }
}

struct Scope {
    /// Names bound by enclosing `for` expressions and `dynamic` blocks.
    names: Vec<String>,
    each: bool,
    count: bool,
}

/// Collects the references of an expression, skipping names bound by `for` expressions.
fn collect(expression: &Expression, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    match expression {
        Expression::Variable(variable) => {
            let name = variable.as_str().to_string();
            if !bound.contains(&name) {
                out.push(Reference {
                    path: vec![name],
                    span: variable.span(),
                });
            }
        }
        Expression::Traversal(traversal) => {
            let mut path = Vec::new();
            let mut root_is_name = false;
            if let Expression::Variable(variable) = &traversal.expr {
                root_is_name = !bound.contains(&variable.as_str().to_string());
                path.push(variable.as_str().to_string());
            } else {
                collect(&traversal.expr, bound, out);
            }
            let mut names_complete = false;
            for operator in &traversal.operators {
                match operator.value() {
                    TraversalOperator::GetAttr(ident) if !names_complete => path.push(ident.as_str().to_string()),
                    TraversalOperator::Index(index) => {
                        names_complete = true;
                        collect(index, bound, out);
                    }
                    _ => names_complete = true,
                }
            }
            if root_is_name {
                out.push(Reference {
                    path,
                    span: traversal.span(),
                });
            }
        }
        Expression::Array(array) => array.iter().for_each(|item| collect(item, bound, out)),
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                if let ObjectKey::Expression(key_expression) = key {
                    // A bare name as a key is a literal string in HCL, not a reference.
                    if !matches!(key_expression, Expression::Variable(_)) {
                        collect(key_expression, bound, out);
                    }
                }
                collect(value.expr(), bound, out);
            }
        }
        Expression::StringTemplate(template) => {
            for element in template.iter() {
                collect_element(element, bound, out);
            }
        }
        Expression::HeredocTemplate(heredoc) => collect_template(&heredoc.template, bound, out),
        Expression::Parenthesis(parenthesis) => collect(parenthesis.inner(), bound, out),
        Expression::Conditional(conditional) => {
            collect(&conditional.cond_expr, bound, out);
            collect(&conditional.true_expr, bound, out);
            collect(&conditional.false_expr, bound, out);
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|argument| collect(argument, bound, out)),
        Expression::UnaryOp(operation) => collect(&operation.expr, bound, out),
        Expression::BinaryOp(operation) => {
            collect(&operation.lhs_expr, bound, out);
            collect(&operation.rhs_expr, bound, out);
        }
        Expression::ForExpr(for_expression) => {
            collect(&for_expression.intro.collection_expr, bound, out);
            let mut added = 1;
            bound.push(for_expression.intro.value_var.as_str().to_string());
            if let Some(key) = &for_expression.intro.key_var {
                bound.push(key.as_str().to_string());
                added += 1;
            }
            if let Some(key_expression) = &for_expression.key_expr {
                collect(key_expression, bound, out);
            }
            collect(&for_expression.value_expr, bound, out);
            if let Some(condition) = &for_expression.cond {
                collect(&condition.expr, bound, out);
            }
            bound.truncate(bound.len() - added);
        }
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => {}
    }
}

fn collect_template(template: &Template, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for element in template.iter() {
        collect_element(element, bound, out);
    }
}

fn collect_element(element: &Element, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    match element {
        Element::Literal(_) => {}
        Element::Interpolation(interpolation) => collect(&interpolation.expr, bound, out),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(if_directive) => {
                collect(&if_directive.if_expr.cond_expr, bound, out);
                collect_template(&if_directive.if_expr.template, bound, out);
                if let Some(else_expression) = &if_directive.else_expr {
                    collect_template(&else_expression.template, bound, out);
                }
            }
            Directive::For(for_directive) => {
                collect(&for_directive.for_expr.collection_expr, bound, out);
                bound.push(for_directive.for_expr.value_var.as_str().to_string());
                collect_template(&for_directive.for_expr.template, bound, out);
                bound.pop();
            }
        },
    }
}
