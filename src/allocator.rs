//! Settings of mimalloc, the allocator `fmc` runs with.

/// mimalloc's `mi_option_purge_delay`: the 16th entry of `mi_option_t` (in v2 and in v3, the
/// version built), which the Rust bindings do not name. A test checks v3's default for it,
/// 1,000 milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed memory to the system after `PURGE_AFTER_MS` rather than a second. A compile
/// is a burst of stages, each freeing large buffers (the parser's tokens, a stage's trees)
/// just before the next allocates objects of other sizes; with mimalloc's delay, a whole
/// compile long, the freed pages stay resident while new ones are touched (bench/README.md
/// has the figures). `MIMALLOC_PURGE_DELAY` in the environment still decides, when set.
pub fn purge_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one integer option of the allocator; any value is valid for this option.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_AFTER_MS) }
}

/// Milliseconds; chosen by measurement (bench/README.md).
const PURGE_AFTER_MS: std::ffi::c_long = 0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_is_the_purge_delay() {
        // SAFETY: reads an integer option.
        let default = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(default, 1000, "mimalloc v3's default purge delay");
        purge_freed_memory_soon();
        // SAFETY: as above.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) },
            PURGE_AFTER_MS
        );
    }
}
