fn main() {
    print!("{}", fm_api::crds::to_yaml().expect("CRDs serialise"));
}
