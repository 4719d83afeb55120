//! The `batchsim` command line; see `batchsim --help` and the README.

fn main() {
    std::process::exit(batchsim::cli::run(std::env::args_os()));
}
