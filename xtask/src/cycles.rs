//! `cargo xtask cycles` (also a step of `cargo xtask test`): fails when the module files
//! of `collector`, `core`, `widget` or `xtask` import each other in a cycle.
//!
//! The graph, per crate:
//! - a node is a module file: `lib.rs` or `main.rs` is the crate root, `a.rs` and
//!   `a/mod.rs` are `crate::a`, `a/b.rs` is `crate::a::b`; inline modules belong to their
//!   file;
//! - everything from a file's first `#[cfg(test)]` on is left out (inline tests sit at
//!   the bottom and may use anything), and so are comments and string literals;
//! - an edge F → M for every path in F, in `use` items and in code alike, that starts
//!   with `crate::`, `super::` or `self::`, or with the name of a child module of F
//!   (`use people::X;` or `people::find(…)` in `store/mod.rs`); each is resolved to the deepest existing module file it names
//!   (`crate::store::records::StoredEvent` → `store/records.rs`, `crate::store::Store`
//!   → `store/mod.rs`); `use` groups are expanded; `mod x;` is not an edge.
//!
//! Any strongly connected component of more than one file is reported with one cycle
//! through it. So a `mod.rs` that re-exports its children is fine as long as no child
//! reaches back up through it, and siblings must depend one way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::task::{TaskResult, fail};
use crate::tools::workspace_root;

/// The crates checked, by their source folder.
const CRATES: &[&str] = &["collector/src", "core/src", "widget/src", "xtask/src"];

/// A module path: `["store", "records"]` for `crate::store::records`.
type Module = Vec<String>;

pub fn run() -> TaskResult<()> {
    let mut report = String::new();
    for folder in CRATES {
        let files = module_files(&workspace_root().join(folder))?;
        for cycle in cycles(&files) {
            report.push_str(&format!("{folder}: {}\n", cycle.join(" -> ")));
        }
    }
    if report.is_empty() {
        println!("xtask: no import cycles in {}", CRATES.join(", "));
        Ok(())
    } else {
        fail(format!("import cycles between module files:\n{report}"))
    }
}

/// Every module file under `root`, with its text.
fn module_files(root: &Path) -> TaskResult<BTreeMap<Module, (String, String)>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                let text = std::fs::read_to_string(&path)?;
                files.insert(module_of(&relative), (display(&relative), text));
            }
        }
    }
    Ok(files)
}

fn display(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The module a file under the crate's source folder is.
fn module_of(relative: &Path) -> Module {
    let mut parts: Module = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| matches!(last.as_str(), "mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The cycles among `files` (module → (shown name, text)), each as a chain of names
/// ending where it began.
fn cycles(files: &BTreeMap<Module, (String, String)>) -> Vec<Vec<String>> {
    let modules: BTreeSet<&Module> = files.keys().collect();
    let edges: BTreeMap<&Module, BTreeSet<Module>> = files
        .iter()
        .map(|(module, (_, text))| (module, dependencies(module, &code_of(text), &modules)))
        .collect();
    let mut found = Vec::new();
    for component in strongly_connected(&edges) {
        let Some(start) = component.first() else { continue };
        let inside: BTreeSet<&Module> = component.iter().copied().collect();
        let path = path_back(start, &edges, &inside);
        found.push(path.iter().map(|module| files[*module].0.clone()).collect());
    }
    found
}

/// A shortest path from `start` back to itself inside a component (breadth first).
fn path_back<'a>(
    start: &'a Module,
    edges: &BTreeMap<&'a Module, BTreeSet<Module>>,
    inside: &BTreeSet<&Module>,
) -> Vec<&'a Module> {
    let mut parent: BTreeMap<&'a Module, &'a Module> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                let mut path = vec![start, at];
                let mut back = at;
                while let Some(previous) = parent.get(back) {
                    path.push(previous);
                    back = previous;
                }
                path.reverse();
                return path;
            }
            let Some((key, _)) = edges.get_key_value(next) else { continue };
            if inside.contains(key) && !parent.contains_key(key) {
                parent.insert(key, at);
                queue.push_back(key);
            }
        }
    }
    vec![start]
}

/// Components of more than one node (Tarjan's algorithm, iteratively).
fn strongly_connected<'a>(edges: &BTreeMap<&'a Module, BTreeSet<Module>>) -> Vec<Vec<&'a Module>> {
    let nodes: Vec<&Module> = edges.keys().copied().collect();
    let position: BTreeMap<&Module, usize> =
        nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let successors: Vec<Vec<usize>> = nodes
        .iter()
        .map(|node| edges[node].iter().filter_map(|m| position.get(m).copied()).collect())
        .collect();
    let (mut index, mut low) = (vec![usize::MAX; nodes.len()], vec![0; nodes.len()]);
    let (mut on_stack, mut stack, mut next, mut found) =
        (vec![false; nodes.len()], Vec::new(), 0, Vec::new());
    for root in 0..nodes.len() {
        if index[root] != usize::MAX {
            continue;
        }
        let mut calls = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut child)) = calls.last_mut() {
            if let Some(&to) = successors[node].get(*child) {
                *child += 1;
                if index[to] == usize::MAX {
                    index[to] = next;
                    low[to] = next;
                    next += 1;
                    stack.push(to);
                    on_stack[to] = true;
                    calls.push((to, 0));
                } else if on_stack[to] {
                    low[node] = low[node].min(index[to]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(nodes[member]);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    found.push(component);
                }
            }
        }
    }
    found
}

/// `text` up to its first `#[cfg(test)]`, without comments and string literals.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        let rest = &chars[at..];
        if rest.starts_with(&['/', '/']) {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            at += 2;
            while at < chars.len() && !chars[at..].starts_with(&['*', '/']) {
                at += 1;
            }
            at += 2;
        } else if rest.starts_with(&['r', '#', '"']) || rest.starts_with(&['r', '"']) {
            let hashes = rest[1..].iter().take_while(|c| **c == '#').count();
            at += 2 + hashes;
            let close: Vec<char> =
                std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            while at < chars.len() && !chars[at..].starts_with(&close) {
                at += 1;
            }
            at += close.len();
            code.push_str("\"\"");
        } else if chars[at] == '"' {
            at += 1;
            while at < chars.len() && chars[at] != '"' {
                at += if chars[at] == '\\' { 2 } else { 1 };
            }
            at += 1;
            code.push_str("\"\"");
        } else if chars[at] == '\'' && rest.get(2) == Some(&'\'') {
            // A character literal such as '"' or '{'.
            at += 3;
        } else if chars[at] == '\'' && rest.get(1) == Some(&'\\') {
            at += 2;
            while at < chars.len() && chars[at] != '\'' {
                at += 1;
            }
            at += 1;
        } else {
            code.push(chars[at]);
            at += 1;
        }
    }
    code
}

/// The module files `module`'s `code` depends on.
fn dependencies(module: &Module, code: &str, modules: &BTreeSet<&Module>) -> BTreeSet<Module> {
    let mut paths: Vec<String> = Vec::new();
    for item in use_items(code) {
        paths.extend(expand("", &item));
    }
    paths.extend(qualified_paths(code));
    paths.extend(child_paths(module, code, modules));
    let mut found = BTreeSet::new();
    for path in paths {
        let segments: Vec<&str> =
            path.split("::").map(str::trim).filter(|s| !s.is_empty()).collect();
        let Some(first) = segments.first() else { continue };
        let (mut base, rest): (Module, &[&str]) = match *first {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (module.clone(), &segments[1..]),
            "super" => {
                let mut base = module.clone();
                let ups = segments.iter().take_while(|s| **s == "super").count();
                for _ in 0..ups {
                    base.pop();
                }
                (base, &segments[ups..])
            }
            child if modules.contains(&child_of(module, child)) => (module.clone(), &segments[..]),
            _ => continue,
        };
        base.extend(rest.iter().map(|s| (*s).to_owned()));
        while !base.is_empty() && !modules.contains(&base) {
            base.pop();
        }
        if &base != module {
            found.insert(base);
        }
    }
    found
}

fn child_of(module: &Module, child: &str) -> Module {
    let mut path = module.clone();
    path.push(child.to_owned());
    path
}

/// The bodies of `use … ;` items (`pub use`, `pub(crate) use` alike).
fn use_items(code: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        items.push(after[..end].to_owned());
        rest = &after[end..];
    }
    items
}

/// The position of `word` standing alone (not part of an identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !ident(before) && !ident(after) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// A `use` body with its groups expanded: `a::{b, c::{d}}` → `a::b`, `a::c::d`.
fn expand(prefix: &str, body: &str) -> Vec<String> {
    let body = body.trim();
    let Some(open) = body.find('{') else {
        let path = body.split(" as ").next().unwrap_or(body);
        return vec![format!("{prefix}{path}").replace(char::is_whitespace, "")];
    };
    let head = &body[..open];
    let inner = body[open + 1..].trim_end().strip_suffix('}').unwrap_or(&body[open + 1..]);
    let mut paths = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (at, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                paths.extend(expand(&format!("{prefix}{head}"), &inner[start..at]));
                start = at + 1;
            }
            _ => {}
        }
    }
    if !inner[start..].trim().is_empty() {
        paths.extend(expand(&format!("{prefix}{head}"), &inner[start..]));
    }
    paths
}

/// Paths in the code starting with the name of a child module of `module`
/// (`decide::run`), not part of a longer path.
fn child_paths(module: &Module, code: &str, modules: &BTreeSet<&Module>) -> Vec<String> {
    let mut paths = Vec::new();
    for child in modules.iter().filter(|m| m.len() == module.len() + 1 && m.starts_with(module)) {
        let Some(name) = child.last() else { continue };
        let prefix = format!("{name}::");
        let mut from = 0;
        while let Some(found) = code[from..].find(&prefix) {
            let at = from + found;
            from = at + prefix.len();
            let before = code[..at].chars().next_back();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(prefix.clone());
            }
        }
    }
    paths
}

/// Paths starting with `crate::`, `super::` or `self::` anywhere in the code.
fn qualified_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(root) {
            let at = from + found;
            let before = code[..at].chars().next_back();
            from = at + root.len();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |end| at + end);
            // `crate::a::{…}` is a `use` group, expanded with the `use` items.
            if code[end..].starts_with('{') {
                continue;
            }
            paths.push(code[at..end].trim_end_matches(':').to_owned());
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> BTreeMap<Module, (String, String)> {
        files
            .iter()
            .map(|(path, text)| {
                (module_of(&PathBuf::from(path)), ((*path).to_owned(), (*text).to_owned()))
            })
            .collect()
    }

    #[test]
    fn a_cycle_through_a_facade_is_found_and_shown_as_a_chain() {
        let files = crate_of(&[
            ("lib.rs", "pub mod store;"),
            ("store/mod.rs", "mod people;\npub use people::Person;\npub struct Event;"),
            ("store/people.rs", "use crate::store::Event;\npub struct Person;"),
        ]);
        let found = cycles(&files);
        assert_eq!(found, vec![vec!["store/mod.rs", "store/people.rs", "store/mod.rs"]]);
    }

    #[test]
    fn one_way_dependencies_are_no_cycle() {
        let files = crate_of(&[
            ("lib.rs", "mod a; mod b; fn f() { a::x(); b::y(); }"),
            ("a.rs", "use crate::b::Y; pub fn x() {}"),
            ("b.rs", "pub struct Y; pub fn y() {}"),
        ]);
        assert!(cycles(&files).is_empty());
    }

    #[test]
    fn groups_super_paths_in_code_and_child_uses_are_edges() {
        let modules = [
            vec![],
            vec!["a".to_owned()],
            vec!["a".to_owned(), "b".to_owned()],
            vec!["c".to_owned()],
        ];
        let modules: BTreeSet<&Module> = modules.iter().collect();
        let a = vec!["a".to_owned()];
        let found = dependencies(&a, "use std::X; fn f() { b::go(); super::c::go(); }", &modules);
        assert_eq!(
            found,
            BTreeSet::from([vec!["a".to_owned(), "b".to_owned()], vec!["c".to_owned()]])
        );
        let b = vec!["a".to_owned(), "b".to_owned()];
        let found = dependencies(&b, "use crate::{c::Y, a::{self}};", &modules);
        assert_eq!(found, BTreeSet::from([vec!["a".to_owned()], vec!["c".to_owned()]]));
    }

    #[test]
    fn tests_comments_and_strings_are_left_out() {
        let code = code_of(
            "use crate::a; // crate::b\n/* crate::c */ const S: &str = \"crate::d\";\n\
             const R: &str = r#\"crate::e\"#; const Q: char = '\"';\n#[cfg(test)]\nuse crate::f;",
        );
        let paths = qualified_paths(&code);
        assert_eq!(paths, vec!["crate::a"]);
        assert!(
            qualified_paths("use crate::a::{b, c};").is_empty(),
            "groups are expanded elsewhere"
        );
    }
}
