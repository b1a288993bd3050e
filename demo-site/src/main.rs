//! `kindling-demo-site`: serves the demo marketing site on its own port.

use clap::Parser;

/// Serves the demo site with its script tag pointed at a collector.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: std::net::SocketAddr,
    /// The collector's origin, e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    collector: String,
    /// The site folder.
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let dir = args.dir.unwrap_or_else(kindling_demo_site::site_dir);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("demo site on http://{}", listener.local_addr()?);
    axum::serve(listener, kindling_demo_site::router(dir, args.collector)).await
}
