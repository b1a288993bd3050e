pub async fn run(_o:&Options)->Result<(),String>{Ok(())}
#[derive(clap::Args)] pub struct Options{}
