//! `fuse`: thin entry point. Parsing, work and exit-code mapping live in the library.

fn main() -> std::process::ExitCode {
    // One command per process: tables it is done with are left to the exit.
    fuse::short_lived::declare();
    fuse::cli::main()
}
