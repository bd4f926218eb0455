//! Every example parses.
use fmc::diag::SourceFile;

#[test]
fn examples_parse() {
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).expect("examples dir")
    {
        let path = entry.expect("entry").path().join("mesh.fm");
        let text = std::fs::read_to_string(&path).expect("readable");
        let file = SourceFile::new(path.display().to_string(), text);
        if let Err(d) = fmc::syntax::parse(&file) {
            panic!("{}", fmc::diag::render_human(&file, &d.into_sorted(), true));
        }
    }
}

#[test]
fn raw_strings_keep_their_body_verbatim() {
    let text = r####"mesh m { namespace r#"a "quoted" \n name"#  tenant r"t\x" }"####;
    let file = SourceFile::new("raw.fm", text.to_owned());
    let ast = fmc::syntax::parse(&file).unwrap_or_else(|d| panic!("{:?}", d.into_sorted()));
    let values: Vec<String> =
        ast.items
            .iter()
            .filter_map(|item| match item {
                fmc::syntax::ast::MeshItem::Namespace(s)
                | fmc::syntax::ast::MeshItem::Tenant(s) => Some(s.value.clone()),
                _ => None,
            })
            .collect();
    assert_eq!(values, [r#"a "quoted" \n name"#, r"t\x"]);
}
