//! The Kafka topics a Flink SQL script reads, for jobs whose metrics name their topics lossily or
//! not yet.
//!
//! No SQL parser takes Flink's DDL (watermarks, computed columns, `METADATA … VIRTUAL`, statement
//! sets, window TVFs), so sqlparser's tokenizer does the lexing (quotes, backticks, comments, `;`)
//! and a small extractor walks the tokens:
//!
//! - `CREATE [TEMPORARY] TABLE name (…) WITH ('k' = 'v', …)` defines a table and its options;
//! - `CREATE [TEMPORARY] VIEW name AS query` defines a view, resolved transitively;
//! - each `INSERT INTO sink …` outside a statement set is one job, and a statement set
//!   (`BEGIN STATEMENT SET; … END;` or `EXECUTE STATEMENT SET BEGIN … END;`) is one job;
//! - the tables a job reads are the names after `FROM`, `JOIN`, `TABLE` (window TVFs) and
//!   `,` in a `FROM` list; its sinks are never sources.
//!
//! A job's Kafka sources are the tables it reads whose `connector` is `kafka` or `upsert-kafka`:
//! `topic` (`;`-separated) or `topic-pattern` (a regex, expanded later against the brokers).
//! `/*+ OPTIONS('topic' = '…') */` hints override a table's options for that read.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

/// One job a script submits.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SqlJob {
    /// `SET 'pipeline.name' = '…'` in effect when the job was submitted: Flink's job name.
    pub pipeline_name: Option<String>,
    /// Tables written (INSERT INTO targets).
    pub sinks: Vec<String>,
    /// Kafka tables read, in order of first read.
    pub kafka_sources: Vec<KafkaTable>,
    /// Tables read that the script does not define (catalog tables): their topics are unknown.
    pub undefined_reads: Vec<String>,
}

/// A Kafka source table as the job reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KafkaTable {
    pub table: String,
    pub topics: Vec<String>,
    pub topic_pattern: Option<String>,
    pub bootstrap_servers: Option<String>,
    pub group_id: Option<String>,
}

/// The jobs of one script.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SqlScript {
    pub file: String,
    pub jobs: Vec<SqlJob>,
}

/// A significant token: comments are dropped except optimizer hints.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An unquoted word (keyword or name).
    Word(String),
    /// A quoted identifier (`` `a b` `` or `"a b"`): a name, never a keyword.
    Quoted(String),
    Str(String),
    /// `/*+ … */`, its text after the `+`.
    Hint(String),
    Semicolon,
    LParen,
    RParen,
    Comma,
    Period,
    Eq,
    Other,
}

impl Tok {
    fn is_word(&self, keyword: &str) -> bool {
        matches!(self, Tok::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn name(&self) -> Option<&str> {
        match self {
            Tok::Word(word) | Tok::Quoted(word) => Some(word),
            _ => None,
        }
    }
}

fn tokens(sql: &str) -> Result<Vec<Tok>, String> {
    let raw =
        Tokenizer::new(&GenericDialect {}, sql).tokenize().map_err(|error| format!("cannot tokenize: {error}"))?;
    Ok(raw
        .into_iter()
        .filter_map(|token| {
            Some(match token {
                Token::Word(word) if word.quote_style.is_some() => Tok::Quoted(word.value),
                Token::Word(word) => Tok::Word(word.value),
                Token::SingleQuotedString(text) => Tok::Str(text),
                Token::Whitespace(Whitespace::MultiLineComment(text)) => match text.strip_prefix('+') {
                    Some(hint) => Tok::Hint(hint.to_owned()),
                    None => return None,
                },
                Token::Whitespace(_) | Token::EOF => return None,
                Token::SemiColon => Tok::Semicolon,
                Token::LParen => Tok::LParen,
                Token::RParen => Tok::RParen,
                Token::Comma => Tok::Comma,
                Token::Period => Tok::Period,
                Token::Eq => Tok::Eq,
                _ => Tok::Other,
            })
        })
        .collect())
}

/// A possibly qualified name (`cat.db.t`) at `at`: its last part and the index after it.
fn qualified_name(tokens: &[Tok], at: usize) -> Option<(String, usize)> {
    let mut name = tokens.get(at)?.name()?.to_owned();
    let mut next = at + 1;
    while tokens.get(next) == Some(&Tok::Period) {
        name = tokens.get(next + 1)?.name()?.to_owned();
        next += 2;
    }
    Some((name, next))
}

/// `('k' = 'v', …)` starting at `at` (the `(`): the options and the index after `)`.
fn options(tokens: &[Tok], at: usize) -> (BTreeMap<String, String>, usize) {
    let mut options = BTreeMap::new();
    if tokens.get(at) != Some(&Tok::LParen) {
        return (options, at);
    }
    let mut i = at + 1;
    while let Some(token) = tokens.get(i) {
        match (token, tokens.get(i + 1), tokens.get(i + 2)) {
            (Tok::RParen, _, _) => return (options, i + 1),
            (Tok::Str(key), Some(Tok::Eq), Some(Tok::Str(value))) => {
                options.insert(key.clone(), value.clone());
                i += 3;
            }
            _ => i += 1,
        }
    }
    (options, i)
}

/// The index after the balanced group opening at `at` (a `(`).
fn skip_group(tokens: &[Tok], at: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(at) {
        match token {
            Tok::LParen => depth += 1,
            Tok::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// A table read in a query, with the options of a `/*+ OPTIONS(…) */` hint after it.
struct Read {
    table: String,
    hint: BTreeMap<String, String>,
}

/// Keywords after which a name in a `FROM` list is not a table (aliases and clauses).
const CLAUSES: &[&str] = &[
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "UNION",
    "JOIN",
    "LEFT",
    "RIGHT",
    "INNER",
    "FULL",
    "CROSS",
    "ON",
    "WINDOW",
    "MATCH_RECOGNIZE",
    "LATERAL",
    "FOR",
    "EXCEPT",
    "INTERSECT",
    "SELECT",
];

/// Tables a query reads: names after FROM, JOIN, TABLE (not `TABLE(`), and after commas of a
/// FROM list.
fn reads(tokens: &[Tok]) -> Vec<Read> {
    let mut found = Vec::new();
    let mut in_from_list = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let starts_name = token.is_word("FROM")
            || token.is_word("JOIN")
            || token.is_word("TABLE")
            || (in_from_list && *token == Tok::Comma);
        let is_clause = |t: &Tok| CLAUSES.iter().any(|k| t.is_word(k));
        if token.is_word("FROM") {
            in_from_list = true;
        } else if is_clause(token) || *token == Tok::RParen {
            in_from_list = false;
        }
        let names_table = tokens.get(i + 1).is_some_and(|t| t.name().is_some() && !is_clause(t) && !t.is_word("TABLE"));
        if starts_name && names_table {
            if let Some((table, after)) = qualified_name(tokens, i + 1) {
                let hint = match tokens.get(after) {
                    Some(Tok::Hint(text)) => hint_options(text),
                    _ => BTreeMap::new(),
                };
                found.push(Read { table, hint });
                i = after;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The options of an `OPTIONS('k' = 'v', …)` hint.
fn hint_options(text: &str) -> BTreeMap<String, String> {
    let Ok(tokens) = tokens(text) else { return BTreeMap::new() };
    match tokens.iter().position(|t| t.is_word("OPTIONS")) {
        Some(at) => options(&tokens, at + 1).0,
        None => BTreeMap::new(),
    }
}

/// Reads the jobs and their Kafka sources from a Flink SQL script.
pub fn parse_script(file: &str, sql: &str) -> Result<SqlScript, String> {
    let tokens = tokens(sql)?;
    let statements: Vec<&[Tok]> =
        tokens.split(|t| *t == Tok::Semicolon).filter(|statement| !statement.is_empty()).collect();

    let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut views: BTreeMap<String, Vec<Read>> = BTreeMap::new();
    let mut pipeline_name: Option<String> = None;
    let mut jobs: Vec<(Option<String>, Vec<String>, Vec<Read>)> = Vec::new();
    let mut statement_set: Option<(Vec<String>, Vec<Read>)> = None;

    for statement in statements {
        let mut at = 0;
        // `EXECUTE STATEMENT SET BEGIN …` and `BEGIN STATEMENT SET` open a set; its INSERTs follow.
        if statement.first().is_some_and(|t| t.is_word("EXECUTE")) {
            at = statement.iter().position(|t| t.is_word("BEGIN")).map_or(statement.len(), |b| b + 1);
            statement_set = Some((Vec::new(), Vec::new()));
        } else if statement.first().is_some_and(|t| t.is_word("BEGIN")) {
            statement_set = Some((Vec::new(), Vec::new()));
            continue;
        }
        let statement = &statement[at..];
        let word = |i: usize, keyword: &str| statement.get(i).is_some_and(|t| t.is_word(keyword));

        if word(0, "END") {
            if let Some((sinks, reads)) = statement_set.take() {
                jobs.push((pipeline_name.clone(), sinks, reads));
            }
        } else if word(0, "SET") {
            if let (Some(Tok::Str(key)), Some(Tok::Eq), Some(Tok::Str(value))) =
                (statement.get(1), statement.get(2), statement.get(3))
            {
                if key == "pipeline.name" {
                    pipeline_name = Some(value.clone());
                }
            }
        } else if word(0, "RESET") {
            if matches!(statement.get(1), None | Some(Tok::Str(_)))
                && statement.get(1).is_none_or(|t| *t == Tok::Str("pipeline.name".to_owned()))
            {
                pipeline_name = None;
            }
        } else if word(0, "CREATE") {
            let mut i = 1;
            while word(i, "OR") || word(i, "REPLACE") || word(i, "TEMPORARY") {
                i += 1;
            }
            let is_table = word(i, "TABLE");
            let is_view = word(i, "VIEW");
            if !(is_table || is_view) {
                continue; // CREATE FUNCTION, CATALOG, DATABASE: no tables.
            }
            i += 1;
            if word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS") {
                i += 3;
            }
            let Some((name, after)) = qualified_name(statement, i) else { continue };
            if is_view {
                let body = statement.iter().position(|t| t.is_word("AS")).unwrap_or(statement.len());
                views.insert(name, reads(&statement[body..]));
                continue;
            }
            let mut i = after;
            if statement.get(i) == Some(&Tok::LParen) {
                i = skip_group(statement, i);
            }
            // `WITH (…)` and `LIKE base (…)`, in either order: the base table's options, overridden
            // by this table's own.
            let (mut base_options, mut own_options) = (BTreeMap::new(), BTreeMap::new());
            while i < statement.len() && !word(i, "AS") {
                if word(i, "WITH") {
                    let (found, after) = options(statement, i + 1);
                    own_options = found;
                    i = after;
                } else if word(i, "LIKE") {
                    if let Some((base, after)) = qualified_name(statement, i + 1) {
                        base_options = tables.get(&base).cloned().unwrap_or_default();
                        i = after;
                    } else {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
            }
            let mut table_options = base_options;
            table_options.extend(own_options);
            tables.insert(name.clone(), table_options);
            // CREATE TABLE … AS SELECT: a job writing the new table.
            if let Some(body) = statement.iter().position(|t| t.is_word("SELECT")) {
                let job_reads = reads(&statement[body..]);
                match &mut statement_set {
                    Some((sinks, set_reads)) => {
                        sinks.push(name);
                        set_reads.extend(job_reads);
                    }
                    None => jobs.push((pipeline_name.clone(), vec![name], job_reads)),
                }
            }
        } else if word(0, "INSERT") {
            let mut i = 1;
            if word(i, "INTO") || word(i, "OVERWRITE") {
                i += 1;
            }
            if word(i, "TABLE") {
                i += 1;
            }
            let Some((sink, after)) = qualified_name(statement, i) else { continue };
            let job_reads = reads(&statement[after..]);
            match &mut statement_set {
                Some((sinks, set_reads)) => {
                    sinks.push(sink);
                    set_reads.extend(job_reads);
                }
                None => jobs.push((pipeline_name.clone(), vec![sink], job_reads)),
            }
        }
    }
    if let Some((sinks, reads)) = statement_set.take() {
        if !sinks.is_empty() {
            jobs.push((pipeline_name.clone(), sinks, reads)); // A set without END: still a job.
        }
    }

    let jobs = jobs
        .into_iter()
        .map(|(pipeline_name, sinks, job_reads)| {
            let mut job = SqlJob { pipeline_name, sinks, ..SqlJob::default() };
            let mut seen_views = BTreeSet::new();
            let mut pending: Vec<&Read> = job_reads.iter().collect();
            while let Some(read) = pending.pop() {
                if let Some(view_reads) = views.get(&read.table) {
                    if seen_views.insert(read.table.clone()) {
                        pending.extend(view_reads.iter());
                    }
                    continue;
                }
                if job.sinks.contains(&read.table) && !tables.contains_key(&read.table) {
                    continue;
                }
                let Some(table_options) = tables.get(&read.table) else {
                    if !job.undefined_reads.contains(&read.table) {
                        job.undefined_reads.push(read.table.clone());
                    }
                    continue;
                };
                let mut effective = table_options.clone();
                effective.extend(read.hint.clone());
                if let Some(kafka) = kafka_table(&read.table, &effective) {
                    if !job.kafka_sources.contains(&kafka) {
                        job.kafka_sources.push(kafka);
                    }
                }
            }
            job.kafka_sources.sort_by(|a, b| a.table.cmp(&b.table));
            job.undefined_reads.sort();
            job
        })
        .collect();
    Ok(SqlScript { file: file.to_owned(), jobs })
}

fn kafka_table(table: &str, options: &BTreeMap<String, String>) -> Option<KafkaTable> {
    let connector = options.get("connector")?;
    if connector != "kafka" && connector != "upsert-kafka" {
        return None;
    }
    Some(KafkaTable {
        table: table.to_owned(),
        topics: options
            .get("topic")
            .map(|topics| topics.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        topic_pattern: options.get("topic-pattern").cloned(),
        bootstrap_servers: options.get("properties.bootstrap.servers").cloned(),
        group_id: options.get("properties.group.id").cloned(),
    })
}

/// The topics a `topic-pattern` names: every broker topic it matches whole (as Java's
/// `Pattern.matcher(topic).matches()`).
pub fn expand_pattern<'a>(
    pattern: &str,
    broker_topics: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<String>, String> {
    let regex = regex::Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|error| format!("topic-pattern '{pattern}' is not a regex this tool reads: {error}"))?;
    Ok(broker_topics.into_iter().filter(|topic| regex.is_match(topic)).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> Vec<SqlJob> {
        parse_script("test.sql", sql).expect("tokenizes").jobs
    }

    fn topics(job: &SqlJob) -> Vec<&str> {
        job.kafka_sources.iter().flat_map(|k| k.topics.iter().map(String::as_str)).collect()
    }

    #[test]
    fn the_demo_consumer_reads_one_topic_through_a_window_tvf() {
        let sql = include_str!("../../../tests/env/workloads/over-provisioned.sql");
        let jobs = parse(sql);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0].pipeline_name.as_deref(), Some("rightsize-over-provisioned"));
        assert_eq!(jobs[0].sinks, ["spend_per_customer"]);
        assert_eq!(topics(&jobs[0]), ["${TOPIC}"]);
        assert_eq!(jobs[0].kafka_sources[0].group_id.as_deref(), Some("rightsize-over-provisioned"));
    }

    #[test]
    fn a_kafka_sink_is_not_a_source() {
        let sql = include_str!("../../../tests/env/workloads/traffic.sql");
        let jobs = parse(sql);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].sinks, ["orders"]);
        assert!(jobs[0].kafka_sources.is_empty(), "{jobs:?}");
    }

    #[test]
    fn watermarks_computed_columns_metadata_and_quoted_semicolons() {
        let sql = r#"
            -- orders; with a comment holding a semicolon
            CREATE TEMPORARY TABLE IF NOT EXISTS `shop`.`orders` (
                order_id BIGINT,
                price DECIMAL(10, 2),
                quantity INT,
                total AS price * quantity,                          -- computed column
                proc_time AS PROCTIME(),
                event_time TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
                WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND,
                PRIMARY KEY (order_id) NOT ENFORCED
            ) WITH (
                'connector' = 'upsert-kafka',
                'topic' = 'orders.v1;orders.v2; orders;v3',
                'properties.bootstrap.servers' = 'kafka-1:9092,kafka-2:9092',
                'key.format' = 'json', 'value.format' = 'json'
            );
            /* a block comment; with a semicolon */
            CREATE TABLE payments (id BIGINT) WITH ('connector' = 'kafka', 'topic-pattern' = 'payments\..*');
            CREATE TABLE out_table (id BIGINT, total DECIMAL(10, 2)) WITH ('connector' = 'print');
            INSERT INTO out_table
            SELECT o.order_id, o.total FROM orders AS o JOIN payments p ON o.order_id = p.id
            WHERE o.note <> 'a;b';
        "#;
        let jobs = parse(sql);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0].sinks, ["out_table"]);
        let sources: Vec<&str> = jobs[0].kafka_sources.iter().map(|k| k.table.as_str()).collect();
        assert_eq!(sources, ["orders", "payments"]);
        assert_eq!(topics(&jobs[0]), ["orders.v1", "orders.v2", "orders", "v3"]);
        assert_eq!(jobs[0].kafka_sources[1].topic_pattern.as_deref(), Some(r"payments\..*"));
        assert_eq!(jobs[0].kafka_sources[0].bootstrap_servers.as_deref(), Some("kafka-1:9092,kafka-2:9092"));
    }

    #[test]
    fn statement_sets_are_one_job_and_views_resolve_transitively() {
        let sql = "
            SET 'pipeline.name' = 'fan-out';
            CREATE TABLE clicks (u STRING, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 'clicks');
            CREATE TABLE views_t (u STRING) WITH ('connector' = 'kafka', 'topic' = 'page-views');
            CREATE TABLE a (u STRING) WITH ('connector' = 'kafka', 'topic' = 'a-out');
            CREATE TABLE b (u STRING) WITH ('connector' = 'blackhole');
            CREATE TEMPORARY VIEW recent AS SELECT u FROM clicks WHERE ts > CURRENT_TIMESTAMP;
            CREATE VIEW everything AS SELECT u FROM recent UNION ALL SELECT u FROM views_t;
            BEGIN STATEMENT SET;
            INSERT INTO a SELECT u FROM everything;
            INSERT INTO b SELECT u FROM a;
            END;
            SET 'pipeline.name' = 'second';
            EXECUTE STATEMENT SET BEGIN
              INSERT INTO b SELECT u FROM clicks /*+ OPTIONS('topic' = 'clicks-replay') */;
            END;
        ";
        let jobs = parse(sql);
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(jobs[0].pipeline_name.as_deref(), Some("fan-out"));
        assert_eq!(jobs[0].sinks, ["a", "b"]);
        // `a` is written and read within the set: a Kafka table read by the job, so a source too.
        let mut first = topics(&jobs[0]);
        first.sort_unstable();
        assert_eq!(first, ["a-out", "clicks", "page-views"]);
        assert_eq!(jobs[1].pipeline_name.as_deref(), Some("second"));
        assert_eq!(topics(&jobs[1]), ["clicks-replay"], "the hint overrides the table's topic");
    }

    #[test]
    fn catalog_tables_are_reported_as_undefined() {
        let jobs = parse("INSERT INTO sink_t SELECT * FROM hive.db.events, lookups;");
        assert_eq!(jobs[0].undefined_reads, ["events", "lookups"]);
        assert!(jobs[0].kafka_sources.is_empty());
    }

    #[test]
    fn like_inherits_options_and_ctas_is_a_job() {
        let sql = "
            CREATE TABLE base (id INT) WITH ('connector' = 'kafka', 'topic' = 'base', 'format' = 'json');
            CREATE TABLE derived (extra INT) WITH ('topic' = 'derived') LIKE base (EXCLUDING ALL);
            CREATE TABLE copy_t WITH ('connector' = 'blackhole') AS SELECT id FROM derived;
        ";
        let jobs = parse(sql);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0].sinks, ["copy_t"]);
        assert_eq!(topics(&jobs[0]), ["derived"]);
    }

    #[test]
    fn patterns_match_whole_topic_names() {
        let broker = ["payments.eu".to_owned(), "payments.us".to_owned(), "old-payments.eu".to_owned()];
        assert_eq!(
            expand_pattern(r"payments\..*", &broker),
            Ok(vec!["payments.eu".to_owned(), "payments.us".to_owned()])
        );
        assert!(expand_pattern("(", &broker).is_err());
    }

    #[test]
    fn broken_sql_is_an_error_not_a_panic() {
        assert!(parse_script("x.sql", "SELECT 'unterminated").is_err());
        assert_eq!(parse("").len(), 0);
        assert_eq!(parse(";;;").len(), 0);
        assert_eq!(parse("INSERT INTO").len(), 0);
    }
}
