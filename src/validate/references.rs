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

use super::parsed::{ParsedFile, ParsedStack, attribute, labels, string_literal};
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
    /// Remote state name → producing stack directory.
    remote_states: BTreeMap<String, String>,
}

fn declarations(stack: &ParsedStack) -> Declarations {
    let mut declared = Declarations::default();
    for file in &stack.files {
        for block in file.top_level_blocks() {
            let block_labels = labels(block);
            match (block.ident.as_str(), block_labels.as_slice()) {
                ("variable", [name]) => {
                    declared
                        .variables
                        .insert(name.to_string(), block.body.has_attribute("default"));
                }
                ("output", [name]) => {
                    declared.outputs.insert(name.to_string());
                }
                ("locals", []) => {
                    declared.locals.extend(
                        block
                            .body
                            .attributes()
                            .map(|attribute| attribute.key.as_str().to_string()),
                    );
                }
                ("resource", [kind, name]) => {
                    declared.resources.insert((kind.to_string(), name.to_string()));
                }
                ("data", [kind, name]) => {
                    declared.data.insert((kind.to_string(), name.to_string()));
                    if *kind == "terraform_remote_state"
                        && let Some(Expression::Object(config)) = attribute(&block.body, "config")
                    {
                        for (key, value) in config.iter() {
                            let key_name = match key {
                                ObjectKey::Ident(ident) => ident.as_str().to_string(),
                                ObjectKey::Expression(expression) => string_literal(expression).unwrap_or_default(),
                            };
                            if key_name == "key"
                                && let Some(state_key) = string_literal(value.expr())
                            {
                                let stack_name = state_key
                                    .rsplit('/')
                                    .next()
                                    .unwrap_or_default()
                                    .trim_end_matches(".tfstate")
                                    .to_string();
                                declared.remote_states.insert(name.to_string(), stack_name);
                            }
                        }
                    }
                }
                ("ephemeral", [kind, name]) => {
                    declared.ephemeral.insert((kind.to_string(), name.to_string()));
                }
                ("module", [name]) => {
                    let source = attribute(&block.body, "source")
                        .and_then(string_literal)
                        .unwrap_or_default();
                    declared
                        .modules
                        .insert(name.to_string(), resolve_source(&stack.directory, &source));
                }
                _ => {}
            }
        }
    }
    declared
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

pub fn check(stacks: &[ParsedStack], infos: &[StackInfo]) -> Vec<InternalError> {
    let declared: BTreeMap<&str, Declarations> = stacks
        .iter()
        .map(|stack| (stack.directory.as_str(), declarations(stack)))
        .collect();
    let mut errors = Vec::new();
    let order: Vec<&str> = infos.iter().map(|info| info.directory.as_str()).collect();
    for stack in stacks {
        let own = &declared[stack.directory.as_str()];
        let info = infos.iter().find(|info| info.directory == stack.directory);
        for file in &stack.files {
            for block in file.top_level_blocks() {
                let mut checker = BlockChecker {
                    file,
                    own,
                    all: &declared,
                    errors: &mut errors,
                };
                checker.check_top_level(block);
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

struct BlockChecker<'a, 'e> {
    file: &'a ParsedFile,
    own: &'a Declarations,
    all: &'a BTreeMap<&'a str, Declarations>,
    errors: &'e mut Vec<InternalError>,
}

impl BlockChecker<'_, '_> {
    fn check_top_level(&mut self, block: &Block) {
        let has_for_each = block.body.has_attribute("for_each");
        let has_count = block.body.has_attribute("count");
        let mut scope = Scope {
            names: Vec::new(),
            each: has_for_each,
            count: has_count,
        };
        if block.ident.as_str() == "module" {
            self.check_module_arguments(block);
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
                Structure::Block(_) => {}
            }
        }
        let nested = block
            .body
            .iter()
            .filter(|structure| matches!(structure, Structure::Block(_)))
            .cloned()
            .collect();
        self.check_body(&nested, &mut scope);
    }

    fn check_module_arguments(&mut self, block: &Block) {
        let name = labels(block).first().map(|label| label.to_string()).unwrap_or_default();
        let Some(directory) = self.own.modules.get(&name) else {
            return;
        };
        let Some(module) = self.all.get(directory.as_str()) else {
            self.errors.push(self.file.error(
                block.span(),
                "module-source",
                format!("module `{name}` has source `{directory}`, which topoc does not generate"),
            ));
            return;
        };
        const META: &[&str] = &["source", "version", "providers", "count", "for_each", "depends_on"];
        let mut given = BTreeSet::new();
        for attribute in block.body.attributes() {
            let key = attribute.key.as_str();
            if META.contains(&key) {
                continue;
            }
            given.insert(key.to_string());
            if !module.variables.contains_key(key) {
                self.errors.push(self.file.error(
                    attribute.span(),
                    "reference",
                    format!("module `{name}` has no variable `{key}`"),
                ));
            }
        }
        for (variable, has_default) in &module.variables {
            if !has_default && !given.contains(variable) {
                self.errors.push(self.file.error(
                    block.span(),
                    "reference",
                    format!("module `{name}` needs variable `{variable}`, which is not set"),
                ));
            }
        }
    }

    fn check_body(&mut self, body: &Body, scope: &mut Scope) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => self.check_expression(&attribute.value, scope),
                Structure::Block(block) if block.ident.as_str() == "dynamic" => {
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
                Structure::Block(block) if block.ident.as_str() == "lifecycle" => {
                    // `ignore_changes` lists attribute names, not references.
                    for attribute in block.body.attributes() {
                        if attribute.key.as_str() != "ignore_changes" {
                            self.check_expression(&attribute.value, scope);
                        }
                    }
                }
                Structure::Block(block) => self.check_body(&block.body, scope),
            }
        }
    }

    fn check_expression(&mut self, expression: &Expression, scope: &mut Scope) {
        let mut references = Vec::new();
        collect(expression, &mut scope.names, &mut references);
        for reference in references {
            if let Some(problem) = self.resolve(&reference, scope) {
                self.errors
                    .push(self.file.error(reference.span.clone(), "reference", problem));
            }
        }
    }

    /// `None` when the reference resolves; otherwise what is wrong.
    fn resolve(&self, reference: &Reference, scope: &Scope) -> Option<String> {
        let path = &reference.path;
        let text = path.join(".");
        let second = path.get(1).cloned().unwrap_or_default();
        let third = path.get(2).cloned().unwrap_or_default();
        match path[0].as_str() {
            "var" => (!self.own.variables.contains_key(&second))
                .then(|| format!("`{text}`: no variable `{second}` in this stack")),
            "local" => (!self.own.locals.contains(&second))
                .then(|| format!("`{text}`: no local value `{second}` in this stack")),
            "each" => (!scope.each).then(|| format!("`{text}` used in a block without `for_each`")),
            "count" => (!scope.count).then(|| format!("`{text}` used in a block without `count`")),
            "path" | "terraform" => None,
            "module" => match self.own.modules.get(&second) {
                None => Some(format!("`{text}`: no module `{second}` in this stack")),
                Some(directory) => {
                    let outputs = self.all.get(directory.as_str()).map(|module| &module.outputs);
                    (!third.is_empty() && !outputs.is_some_and(|outputs| outputs.contains(&third)))
                        .then(|| format!("`{text}`: module `{second}` ({directory}) has no output `{third}`"))
                }
            },
            "data" => {
                if !self.own.data.contains(&(second.clone(), third.clone())) {
                    return Some(format!("`{text}`: no data source `{second}.{third}` in this stack"));
                }
                if second == "terraform_remote_state" {
                    let producer = self.own.remote_states.get(&third)?;
                    if path.get(3).map(String::as_str) != Some("outputs") {
                        return Some(format!("`{text}`: read remote state through `.outputs`"));
                    }
                    let output = path.get(4)?;
                    let producer_outputs = self.all.get(producer.as_str()).map(|stack| &stack.outputs);
                    if !producer_outputs.is_some_and(|outputs| outputs.contains(output)) {
                        return Some(format!("`{text}`: stack `{producer}` declares no output `{output}`"));
                    }
                }
                None
            }
            "ephemeral" => (!self.own.ephemeral.contains(&(second.clone(), third.clone())))
                .then(|| format!("`{text}`: no ephemeral resource `{second}.{third}` in this stack")),
            "self" => Some("`self` is only valid in provisioners".to_string()),
            kind if kind.contains('_') => (!self.own.resources.contains(&(kind.to_string(), second.clone())))
                .then(|| format!("`{text}`: no resource `{kind}.{second}` in this stack")),
            other => Some(format!("`{text}`: `{other}` is not a name Terraform knows here")),
        }
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
