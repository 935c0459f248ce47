use tokenrelay_sim::world::{run, Params};
fn main() {
    let p = Params::draw(5452);
    println!("{p:?}");
    let o = run(p, true);
    for v in o.violations {
        println!("{v}");
    }
}
