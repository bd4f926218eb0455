//! `fmc graph`: the pictures of the examples are pinned, valid in their formats, escaped,
//! deterministic, and the ones committed beside the examples are current.
mod common;

use std::path::Path;

use fmc::model::Model;
use fmc::picture::{draw, Format, Picture, PictureError};

fn model(path: &Path) -> Model {
    let file = common::source(path);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    model.unwrap_or_else(|| {
        panic!(
            "{} should check cleanly:\n{}",
            file.name,
            fmc::diag::render_human(&file, &diagnostics.into_sorted(), true)
        )
    })
}

fn picture(model: &Model, env: Option<&str>, format: Format) -> String {
    draw(model, env, format).unwrap_or_else(|e| panic!("{e}"))
}

fn tricky() -> Model {
    model(&common::root().join("tests/pictures/tricky.fm"))
}

#[test]
fn examples_are_pinned_as_dot_and_mermaid() {
    for path in common::examples() {
        let name = common::example_name(&path);
        let model = model(&path);
        common::snapshot_settings("graph").bind(|| {
            insta::assert_snapshot!(format!("{name}-dot"), picture(&model, None, Format::Dot));
            insta::assert_snapshot!(
                format!("{name}-mermaid"),
                picture(&model, None, Format::Mermaid)
            );
        });
    }
}

#[test]
fn dot_output_parses_as_dot() {
    let mut models: Vec<Model> = common::examples().iter().map(|p| model(p)).collect();
    models.push(tricky());
    for model in &models {
        let dot = picture(model, None, Format::Dot);
        let mut parser = layout::gv::DotParser::new(&dot);
        if let Err(e) = parser.process() {
            panic!("not valid DOT ({e}):\n{dot}");
        }
    }
}

/// All text the SVG shows, one entry per line of text.
fn svg_text_lines(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML ({e}):\n{svg}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("tspan") || n.has_tag_name("textPath"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn svg_is_xml_and_shows_every_step_and_topic() {
    for path in common::examples() {
        let model = model(&path);
        let svg = picture(&model, None, Format::Svg);
        let lines = svg_text_lines(&svg);
        for step in &model.base.steps {
            assert!(
                lines.contains(&step.name.value),
                "{}: step `{}` is not in the SVG's text: {lines:?}",
                path.display(),
                step.name.value
            );
        }
        for topic in model.base.topics.iter() {
            let shown = lines
                .iter()
                .any(|l| l.starts_with(&format!("{}: ", topic.name.value)));
            assert!(
                shown,
                "{}: topic `{}` labels no edge: {lines:?}",
                path.display(),
                topic.name.value
            );
        }
    }
}

#[test]
fn svg_keeps_odd_characters_as_text() {
    let svg = picture(&tricky(), None, Format::Svg);
    let lines = svg_text_lines(&svg);
    assert!(
        lines.contains(&r#"quoted: json "com.example."Q"\Back#1<T>|`x`""#.to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"persistent://public/default/(a|b)<x>.*".to_string()));
}

#[test]
fn labels_are_escaped() {
    let model = tricky();
    let dot = picture(&model, None, Format::Dot);
    assert!(
        dot.contains(r#"[label="quoted: json \"com.example.\"Q\"\\Back#1<T>|`x`\""]"#),
        "{dot}"
    );
    let mermaid = picture(&model, None, Format::Mermaid);
    assert!(
        mermaid.contains(
            r#"-->|"quoted: json #quot;com.example.#quot;Q#quot;\Back#35;1#lt;T#gt;#124;#96;x#96;#quot;"|"#
        ),
        "{mermaid}"
    );
    assert!(mermaid
        .contains(r#"[/"topics matching<br/>persistent://public/default/(a#124;b)#lt;x#gt;.*"/]"#));
    // Inside a quoted label only the entity codes may use `#`, and no raw quote survives.
    for line in mermaid.lines().filter(|l| l.contains('"')) {
        let quotes = line.matches('"').count();
        assert!(quotes % 2 == 0, "unbalanced quotes: {line}");
    }
}

#[test]
fn an_environment_that_moves_steps_moves_them_in_the_picture() {
    let model = tricky();
    let base = Picture::from_mesh(&model.base);
    let moved = Picture::from_mesh(fmc::picture::select(&model, Some("moved")).expect("env"));
    let group_of = |p: &Picture, step: &str| {
        let node = p.nodes.iter().find(|n| n.title == step).expect("step");
        p.groups[node.group.expect("in a cluster")].label.clone()
    };
    assert_eq!(group_of(&base, "reader"), "cluster a");
    assert_eq!(group_of(&moved, "reader"), r#"cluster b (pulsar "b")"#);
    assert_eq!(group_of(&moved, "end"), r#"cluster b (pulsar "b")"#);

    let dot = picture(&model, Some("moved"), Format::Dot);
    assert!(dot.contains("subgraph cluster_b {"), "{dot}");
    assert!(
        !dot.contains("subgraph cluster_a"),
        "cluster a runs nothing now:\n{dot}"
    );
    assert!(dot.contains(r#"label="reader\npython @ b""#), "{dot}");
    assert_ne!(dot, picture(&model, None, Format::Dot));
}

#[test]
fn an_environment_that_changes_nothing_visible_only_retitles() {
    // word-count's prod changes replicas, resources and URLs: nothing the picture shows.
    let model = model(&common::root().join("examples/word-count/mesh.fm"));
    for format in [Format::Dot, Format::Mermaid] {
        let base = picture(&model, None, format);
        let prod = picture(&model, Some("prod"), format);
        assert_eq!(prod.replace("word-count (prod)", "word-count"), base);
        assert_ne!(prod, base, "the title names the environment");
    }
}

#[test]
fn unknown_environments_are_named_with_the_known_ones() {
    let model = model(&common::root().join("examples/two-clusters/mesh.fm"));
    let err = draw(&model, Some("qa"), Format::Dot).expect_err("no env qa");
    assert_eq!(
        err,
        PictureError::UnknownEnv {
            name: "qa".into(),
            known: vec!["staging".into(), "prod".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "no environment named `qa`; known environments: staging, prod"
    );
}

#[test]
fn drawing_twice_gives_identical_bytes() {
    for path in common::examples() {
        for format in [Format::Dot, Format::Mermaid, Format::Svg] {
            let a = picture(&model(&path), None, format);
            let b = picture(&model(&path), None, format);
            assert_eq!(a, b, "{} {format:?}", path.display());
        }
    }
}

/// `examples/<name>/mesh.svg` and `mesh.mmd` are documentation; they must show the mesh as
/// it is. `FMC_UPDATE_PICTURES=1 cargo test --test graph` rewrites them.
#[test]
fn committed_pictures_are_current() {
    let update = std::env::var_os("FMC_UPDATE_PICTURES").is_some();
    for path in common::examples() {
        let model = model(&path);
        let dir = path.parent().expect("example folder");
        for (file, format, flag) in [
            ("mesh.svg", Format::Svg, "svg"),
            ("mesh.mmd", Format::Mermaid, "mermaid"),
        ] {
            let want = picture(&model, None, format);
            let target = dir.join(file);
            if update {
                std::fs::write(&target, &want).expect("write picture");
                continue;
            }
            let have = std::fs::read_to_string(&target).unwrap_or_default();
            assert!(
                have == want,
                "{} is stale; regenerate it: fmc graph {} --format {flag} -o {}",
                target.display(),
                path.strip_prefix(common::root()).unwrap_or(&path).display(),
                target
                    .strip_prefix(common::root())
                    .unwrap_or(&target)
                    .display(),
            );
        }
    }
}

#[test]
fn the_readme_shows_the_current_picture() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let model = model(&common::root().join("examples/fan-out-fan-in/mesh.fm"));
    let block = format!(
        "```mermaid\n{}```\n",
        picture(&model, None, Format::Mermaid)
    );
    assert!(
        readme.contains(&block),
        "README.md's ```mermaid block is not the current picture of examples/fan-out-fan-in:\n{block}"
    );
}

#[test]
fn loops_and_empty_meshes_draw_too() {
    // A feedback loop: layout-rs must turn the cycle into a valid layering, not panic.
    let model = model(&common::root().join("tests/pictures/loop.fm"));
    let lines = svg_text_lines(&picture(&model, None, Format::Svg));
    for text in ["retry", "bounce", "again: string", "back: string"] {
        assert!(lines.contains(&text.to_string()), "{text}: {lines:?}");
    }
    let dot = picture(&model, None, Format::Dot);
    assert!(dot.contains("step_retry -> step_bounce") && dot.contains("step_bounce -> step_retry"));

    let file = fmc::diag::SourceFile::new(
        "empty.fm",
        r#"mesh empty { cluster c { broker "pulsar://b:6650" admin "http://b:8080" } }"#,
    );
    let model = fmc::pipeline::check(&file)
        .0
        .expect("an empty mesh is valid");
    let svg = picture(&model, None, Format::Svg);
    assert!(svg_text_lines(&svg).is_empty());
    assert!(!picture(&model, None, Format::Dot).contains("subgraph"));
}
