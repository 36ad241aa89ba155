//! `fuse`: thin entry point. Parsing, work and exit-code mapping live in the library.

fn main() -> std::process::ExitCode {
    fuse::cli::main()
}
