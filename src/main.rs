//! The `flipdesk` binary: `serve` (default), `migrate`, `seed-demo`, `user create`,
//! `api-key regenerate`, `backup`, `restore`, and `bench` when built with the `bench` feature.

// glibc's allocator spent a fifth of a storefront request in malloc and its consolidation
// under load; mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    flipdesk::admin::run().await
}
