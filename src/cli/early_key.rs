//! The signing key opened beside the input's first parse.
//!
//! Before anything else can start, `build` and `sign` parse the input's central
//! directory (~8 ms for 21,000 entries) and open the keystore (~5 ms of PBKDF2), each on
//! one core. A keystore or key file named on the command line is only read, so it is
//! opened on the other core while the input is detected; the result — identity or error —
//! is used where the command would have loaded the key, so errors keep their order. The
//! debug key (created on first use) and `stdin` passwords (which consume the process's
//! input) are left to the command.

use crate::cli::args::SigningArgs;
use crate::error::Error;
use crate::keys::{self, SigningIdentity};

/// A key opened early, or nothing when it was not safe to.
pub struct EarlyKey(Option<Result<SigningIdentity, keys::Error>>);

impl EarlyKey {
    /// Opens the key `args` name if that has no side effect; else nothing.
    pub fn open(args: &SigningArgs) -> Self {
        Self(
            keys::key_source_from_args(args)
                .ok()
                .filter(keys::loads_without_side_effects)
                .map(|source| keys::load(&source)),
        )
    }

    /// Runs `first` (the input's detection) while the key `args` name is opened on the
    /// other core; `first`'s error, if any, is the one returned.
    pub fn open_beside<T, E: Send>(
        args: &SigningArgs,
        first: impl FnOnce() -> Result<T, E> + Send,
    ) -> Result<(T, Self), E>
    where
        T: Send,
    {
        let (first, key) = rayon::join(first, || Self::open(args));
        first.map(|t| (t, key))
    }

    /// The identity `args` name: the one opened early, else loaded now. A usage error in
    /// the signing flags is reported first, as before.
    pub fn load(self, args: &SigningArgs) -> Result<SigningIdentity, Error> {
        let source = keys::key_source_from_args(args).map_err(Error::from)?;
        match self.0 {
            Some(opened) => opened,
            None => keys::load(&source),
        }
        .map_err(Error::from)
    }
}
