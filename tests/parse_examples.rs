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
