//! Writing the output tree so that a failure never leaves a partial directory behind: files go
//! to a fresh temporary directory beside the target, which is then renamed into place.

use std::io;
use std::path::Path;

use super::resource::Output;

pub fn write_atomically(output: &Output, target: &Path) -> io::Result<()> {
    if target.exists() && !target.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a directory", target.display()),
        ));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::env::current_dir()?,
    };
    if !parent.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("the parent directory {} does not exist", parent.display()),
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(".fmc-out-")
        .tempdir_in(&parent)?;
    for (relative, text) in &output.files {
        let path = staging.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, text)?;
    }
    // Swap: move the old tree aside, the new one in, then drop the old one.
    let old = if target.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".fmc-old-")
            .tempdir_in(&parent)?;
        let aside_path = aside.keep();
        std::fs::remove_dir(&aside_path)?;
        std::fs::rename(target, &aside_path)?;
        Some(aside_path)
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, target) {
        // Put the previous output back before reporting.
        if let Some(old) = &old {
            let _ = std::fs::rename(old, target);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    if let Some(old) = old {
        std::fs::remove_dir_all(old)?;
    }
    Ok(())
}
