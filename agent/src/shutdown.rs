//! Clean shutdown of the long-running commands (`serve`, `sidecar`): SIGTERM (what Kubernetes and
//! systemd send) and Ctrl-C set a stop flag that the scan loop and the HTTP workers poll, so the
//! current scan or request finishes and the store is closed before the process exits.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A flag set by SIGTERM, SIGINT or SIGHUP. A second signal while stopping exits at once, so
/// a stuck shutdown can still be interrupted.
pub fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT, signal_hook::consts::SIGHUP] {
        // Order matters: the exit hook checks the flag before the flag is set by this signal.
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop))?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}
