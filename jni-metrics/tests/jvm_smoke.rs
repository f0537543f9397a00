//! Loads the built cdylib into a real JVM and drives every exported function from Java, which
//! checks the symbol names, the signatures and the argument conversions that unit tests cannot.
//! Needs `javac` and `java` on the PATH (or under `JAVA_HOME`); says so and passes without them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn java_tool(name: &str) -> Option<PathBuf> {
    let from_home = std::env::var_os("JAVA_HOME").map(|home| Path::new(&home).join("bin").join(name));
    let candidates = from_home.into_iter().chain(Some(PathBuf::from(name)));
    candidates.into_iter().find(|tool| Command::new(tool).arg("-version").output().is_ok_and(|o| o.status.success()))
}

/// `target/<profile>/deps/`: `cargo test` builds the cdylib there, beside this test's executable
/// (only `cargo build` copies it up to `target/<profile>/`, so that copy may be stale).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("target/<profile>/deps/<test>").to_path_buf()
}

#[test]
fn java_drives_every_entry_point() {
    let (Some(javac), Some(java)) = (java_tool("javac"), java_tool("java")) else {
        eprintln!("SKIPPED java_drives_every_entry_point: no JDK found (install one or set JAVA_HOME)");
        return;
    };
    let library = library_dir();
    let library_file =
        library.join(format!("{}jni_metrics{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    assert!(library_file.exists(), "{} was not built", library_file.display());

    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/java");
    let classes = tempfile::tempdir().expect("temporary directory");
    let compiled = Command::new(javac)
        .arg("-d")
        .arg(classes.path())
        .arg(sources.join("org/rightsize/flink/metrics/NativeTimers.java"))
        .arg(sources.join("NativeTimersSmoke.java"))
        .output()
        .expect("run javac");
    assert!(compiled.status.success(), "javac failed:\n{}", String::from_utf8_lossy(&compiled.stderr));

    let run = Command::new(java)
        .arg("-Xcheck:jni")
        .arg(format!("-Djava.library.path={}", library.display()))
        .arg("-cp")
        .arg(classes.path())
        .arg("NativeTimersSmoke")
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "java failed ({}):\n{stdout}\n{stderr}", run.status);
    assert_eq!(stdout.trim(), "ok");
    assert!(!stderr.contains("WARNING"), "-Xcheck:jni complained:\n{stderr}");
}
