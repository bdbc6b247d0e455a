//! Remote commands, safely.
