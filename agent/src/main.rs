fn main() {
    println!("rightsize");
}
