//! `kindling-bench reports`: the console's report pages timed on a seeded database
//! (see [`crate::seed`]), each set beside a baseline measured in the same run: a plain
//! `SELECT count(*) FROM events WHERE site = ? AND received_ms >= ? AND received_ms < ?`
//! over the same range, run directly on the database as many times.
//!
//! It signs in through `POST /admin/login` (as a browser does: a form post from the
//! same origin), then, per report page, sends 2 unmeasured GETs and `--runs` measured
//! ones (each read to its end) with `?site=..&from=YYYY-MM-DD&until=YYYY-MM-DD`, the
//! range's days counted in UTC, `until` included. A page that answers 404 is reported
//! as missing, not as an error. Prints a table (report, p50 ms, p95 ms, baseline p50 ms,
//! ratio p95 / baseline p50) and, with `--json`, one JSON object as the last line.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use crate::database::Database;

/// The report pages measured, relative to the collector's address.
pub const REPORT_PAGES: [&str; 6] = [
    "/admin/reports/funnel",
    "/admin/reports/traffic",
    "/admin/reports/blocks",
    "/admin/reports/forms",
    "/admin/reports/quality",
    "/admin/reports/automation",
];
/// Unmeasured requests before each page's measured ones.
const WARMUPS: usize = 2;
const DAY_MS: i64 = 86_400_000;

/// What to measure.
#[derive(clap::Args)]
pub struct Options {
    /// The collector's address, `http://127.0.0.1:PORT`.
    #[arg(long)]
    pub url: String,
    /// The same database the collector serves, for the baseline.
    #[arg(long)]
    pub database: String,
    /// The site whose reports are asked for.
    #[arg(long, default_value = crate::scoring::DEMO_SITE)]
    pub site: String,
    /// A console user's email.
    #[arg(long)]
    pub email: String,
    /// Their password.
    #[arg(long, env = "KINDLING_BENCH_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Measured requests per page (and baseline queries).
    #[arg(long, default_value_t = 30)]
    pub runs: usize,
    /// First day of the range (default: 29 days before `--until`).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day of the range, included (default: today, UTC).
    #[arg(long)]
    pub until: Option<String>,
    /// Also print one JSON object as the last line.
    #[arg(long)]
    pub json: bool,
}

/// One page's timings, or none when it is missing.
struct Measured {
    page: &'static str,
    times: Option<Vec<Duration>>,
}

/// Signs in, measures every page and the baseline, prints the results.
pub async fn run(options: &Options) -> Result<(), String> {
    let runs = options.runs.max(1);
    let today = crate::body::now_ms() as i64 / DAY_MS;
    let until_day = options.until.as_deref().map(parse_day).transpose()?.unwrap_or(today);
    let from_day = options.from.as_deref().map(parse_day).transpose()?.unwrap_or(until_day - 29);
    if from_day > until_day {
        return Err("--from is after --until".to_owned());
    }
    let (from, until) = (format_day(from_day), format_day(until_day));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| format!("http client: {error}"))?;
    let base = options.url.trim_end_matches('/');
    let cookie = sign_in(&client, base, &options.email, &options.password).await?;

    let mut measured = Vec::new();
    for page in REPORT_PAGES {
        let url = format!("{base}{page}?site={}&from={from}&until={until}", options.site);
        measured.push(Measured { page, times: time_page(&client, &url, &cookie, runs).await? });
    }

    let database = Database::open(&options.database).await?;
    let (from_ms, until_ms) = (from_day * DAY_MS, (until_day + 1) * DAY_MS);
    let mut baseline = Vec::with_capacity(runs);
    let mut counted = 0;
    for _ in 0..runs {
        let (count, took) = database.time_events_in_range(&options.site, from_ms, until_ms).await?;
        counted = count;
        baseline.push(took);
    }
    let baseline_p50 = percentile(&mut baseline, 0.50);

    println!("reports from {from} until {until} ({counted} events in range), {runs} runs each");
    println!(
        "{:<28} {:>10} {:>10} {:>16} {:>10}",
        "report", "p50 ms", "p95 ms", "baseline p50 ms", "ratio"
    );
    let mut json = Vec::new();
    for Measured { page, times } in &mut measured {
        match times {
            Some(times) => {
                let (p50, p95) = (percentile(times, 0.50), percentile(times, 0.95));
                let ratio = p95 / baseline_p50.max(1e-6);
                println!("{page:<28} {p50:>10.2} {p95:>10.2} {baseline_p50:>16.2} {ratio:>10.2}");
                json.push(format!(
                    r#""{page}":{{"p50_ms":{p50:.3},"p95_ms":{p95:.3},"ratio":{ratio:.3}}}"#
                ));
            }
            None => {
                println!(
                    "{page:<28} {:>10} {:>10} {baseline_p50:>16.2} {:>10}",
                    "missing", "-", "-"
                );
                json.push(format!(r#""{page}":"missing""#));
            }
        }
    }
    if options.json {
        println!(
            r#"{{"from":"{from}","until":"{until}","runs":{runs},"events_in_range":{counted},"baseline_p50_ms":{baseline_p50:.3},"reports":{{{}}}}}"#,
            json.join(",")
        );
    }
    Ok(())
}

/// Signs in through the console's form; returns the session cookie's value.
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Result<String, String> {
    let response = client
        .post(format!("{base}/admin/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", password), ("next", "/admin")])
        .send()
        .await
        .map_err(|error| format!("POST /admin/login: {error}"))?;
    if response.status() != StatusCode::SEE_OTHER {
        return Err(format!("signing in as {email} answered {}", response.status()));
    }
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("kindling_session="))
        .and_then(|value| value.split(';').next())
        .filter(|value| !value.is_empty())
        .map(str::to_owned);
    cookie.ok_or_else(|| {
        let to = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        format!("signing in as {email} set no session cookie (redirect to {to:?})")
    })
}

/// The times of `runs` GETs after the warm-ups; none when the page answers 404.
async fn time_page(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    runs: usize,
) -> Result<Option<Vec<Duration>>, String> {
    let mut times = Vec::with_capacity(runs);
    for round in 0..WARMUPS + runs {
        let started = Instant::now();
        let response = client
            .get(url)
            .header("cookie", format!("kindling_session={cookie}"))
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .map_err(|error| format!("GET {url}: {error}"))?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let body = response.bytes().await.map_err(|error| format!("GET {url}: {error}"))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(format!(
                "GET {url} answered {status}: {}",
                text.chars().take(300).collect::<String>()
            ));
        }
        if round >= WARMUPS {
            times.push(started.elapsed());
        }
    }
    Ok(Some(times))
}

/// The `q` quantile (nearest rank) of `times`, in milliseconds.
fn percentile(times: &mut [Duration], q: f64) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    times.sort_unstable();
    let rank = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len());
    times[rank - 1].as_secs_f64() * 1e3
}

/// Days since the Unix epoch of `YYYY-MM-DD`.
fn parse_day(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not a YYYY-MM-DD date");
    let mut parts = text.split('-').map(|part| part.parse::<i64>().map_err(|_| bad()));
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (year, month, day) = (year?, month?, day?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    // Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of a day since the Unix epoch.
fn format_day(days: i64) -> String {
    crate::seed::day_of(days * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for day in ["1970-01-01", "2024-02-29", "2026-12-04"] {
            assert_eq!(format_day(parse_day(day).unwrap_or(0)), day);
        }
        assert!(parse_day("2026-13-01").is_err());
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut times: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut times, 0.5), 10.0);
        assert_eq!(percentile(&mut times, 0.95), 19.0);
    }
}
