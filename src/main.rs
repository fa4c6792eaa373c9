//! The `flipdesk` binary: `serve` (default), `migrate`, `seed-demo`, `user create`,
//! `api-key regenerate`, `backup`, `restore`, `bench`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    flipdesk::server::cli::run().await
}
