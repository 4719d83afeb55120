//! `--jobs FILE.parquet` / `--attempts FILE.arrow` (issue 14 item 4: "Parquet or Arrow IPC
//! output when the file name ends in `.parquet`/`.arrow` (a well-kept crate, behind a cargo
//! feature), so pandas/polars/DuckDB read it directly").
//!
//! With the `columnar` feature (`.ci/run` runs `cargo test --features columnar --test
//! columnar`), the files are read back with the Apache Arrow and Parquet readers and must
//! hold exactly the rows of the CSV tables of the same run, cell by cell. Without it, the
//! one test here checks that such a file name is refused with exit 2 and a message that says
//! how to get the feature, instead of a CSV file with a `.parquet` name.

mod common;

use common::{batchsim, scenario_path, temp_dir};

#[cfg(not(feature = "columnar"))]
#[test]
fn without_the_feature_a_columnar_file_name_is_refused() {
    let dir = temp_dir("columnar-off");
    let jobs = dir.join("jobs.parquet");
    let out = batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--jobs",
        jobs.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--features columnar"), "{err}");
    assert!(!jobs.exists(), "no file is left behind");
    let out = batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--attempts",
        dir.join("a.arrow").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "columnar")]
mod with_the_feature {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type, UInt32Type, UInt64Type};
    use arrow_array::{Array, RecordBatch};
    use arrow_schema::DataType;
    use std::path::Path;

    /// Every cell of `batch` as the CSV writes it (nulls empty, lists space-separated).
    fn rows_as_csv_cells(batch: &RecordBatch) -> Vec<Vec<String>> {
        let mut rows = vec![Vec::new(); batch.num_rows()];
        for column in batch.columns() {
            for (i, row) in rows.iter_mut().enumerate() {
                let cell = if column.is_null(i) {
                    String::new()
                } else {
                    match column.data_type() {
                        DataType::Utf8 => column.as_string::<i32>().value(i).to_owned(),
                        DataType::UInt32 => column.as_primitive::<UInt32Type>().value(i).to_string(),
                        DataType::UInt64 => column.as_primitive::<UInt64Type>().value(i).to_string(),
                        DataType::Int32 => column.as_primitive::<Int32Type>().value(i).to_string(),
                        DataType::Float64 => column.as_primitive::<Float64Type>().value(i).to_string(),
                        DataType::List(_) => {
                            let list = column.as_list::<i32>().value(i);
                            let items = list.as_string::<i32>();
                            (0..items.len()).map(|j| items.value(j)).collect::<Vec<_>>().join(" ")
                        }
                        other => panic!("unexpected column type {other}"),
                    }
                };
                row.push(cell);
            }
        }
        rows
    }

    fn parquet_batches(path: &Path) -> (Vec<RecordBatch>, usize) {
        let file = std::fs::File::open(path).unwrap();
        let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let row_groups = builder.metadata().num_row_groups();
        let batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        (batches, row_groups)
    }

    fn arrow_batches(path: &Path) -> Vec<RecordBatch> {
        let file = std::fs::File::open(path).unwrap();
        arrow_ipc::reader::FileReader::try_new(file, None)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_path(path).unwrap();
        let header = r.headers().unwrap().iter().map(str::to_owned).collect();
        let rows = r
            .records()
            .map(|row| row.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    }

    fn column_names(batches: &[RecordBatch]) -> Vec<String> {
        batches[0].schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    fn run(scenario: &str, args: &[&str]) {
        let mut all = vec!["run", scenario];
        all.extend_from_slice(args);
        let out = batchsim(&all);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// The job and attempt tables of a Spot run with reclaims and retries, and of a retry
    /// scenario, as Parquet and Arrow, equal the CSV tables of the same run cell by cell.
    #[test]
    fn parquet_and_arrow_tables_hold_the_csv_rows() {
        let dir = temp_dir("columnar");
        for name in ["compare-ec2-spot.json", "timeout-retry.json"] {
            let scenario = scenario_path(name);
            let p = |f: &str| dir.join(format!("{name}.{f}"));
            run(
                &scenario,
                &[
                    "--jobs",
                    p("jobs.csv").to_str().unwrap(),
                    "--attempts",
                    p("attempts.csv").to_str().unwrap(),
                ],
            );
            run(
                &scenario,
                &[
                    "--jobs",
                    p("jobs.parquet").to_str().unwrap(),
                    "--attempts",
                    p("attempts.parquet").to_str().unwrap(),
                ],
            );
            run(
                &scenario,
                &[
                    "--jobs",
                    p("jobs.arrow").to_str().unwrap(),
                    "--attempts",
                    p("attempts.arrow").to_str().unwrap(),
                ],
            );
            for table in ["jobs", "attempts"] {
                let (header, expected) = csv_rows(&p(&format!("{table}.csv")));
                assert!(expected.len() > 10, "{name} {table}: a table worth comparing");
                let (parquet, _) = parquet_batches(&p(&format!("{table}.parquet")));
                let arrow = arrow_batches(&p(&format!("{table}.arrow")));
                for (format, batches) in [("parquet", parquet), ("arrow", arrow)] {
                    assert_eq!(column_names(&batches), header, "{name} {table}.{format}");
                    let rows: Vec<Vec<String>> = batches.iter().flat_map(rows_as_csv_cells).collect();
                    assert_eq!(rows, expected, "{name} {table}.{format}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `--job-columns analysis` gives Parquet and Arrow files the CSV's analysis columns
    /// (`dispatchedAt`, `exitCode`, `cost`, `turnaroundSeconds`), typed, cell for cell.
    #[test]
    fn analysis_columns_are_in_the_columnar_tables_too() {
        let dir = temp_dir("columnar-analysis");
        let scenario = scenario_path("compare-ec2-spot.json");
        let p = |f: &str| dir.join(f);
        for f in ["jobs.csv", "jobs.parquet", "jobs.arrow"] {
            run(
                &scenario,
                &["--jobs", p(f).to_str().unwrap(), "--job-columns", "analysis"],
            );
        }
        let (header, expected) = csv_rows(&p("jobs.csv"));
        assert_eq!(header.join(","), batchsim::report::csv::ANALYSIS_HEADER);
        let (parquet, _) = parquet_batches(&p("jobs.parquet"));
        let arrow = arrow_batches(&p("jobs.arrow"));
        let _ = std::fs::remove_dir_all(&dir);
        for (format, batches) in [("parquet", parquet), ("arrow", arrow)] {
            assert_eq!(column_names(&batches), header, "{format}");
            let schema = batches[0].schema();
            assert_eq!(
                schema.field_with_name("exitCode").unwrap().data_type(),
                &DataType::Int32
            );
            assert_eq!(schema.field_with_name("cost").unwrap().data_type(), &DataType::Float64);
            let rows: Vec<Vec<String>> = batches.iter().flat_map(rows_as_csv_cells).collect();
            assert_eq!(rows, expected, "{format}");
        }
    }

    /// A long table is written in row groups of 8,192 rows as the run goes on (memory stays
    /// flat), and every job is there.
    #[test]
    fn long_tables_are_written_in_row_groups() {
        let dir = temp_dir("columnar-long");
        let scenario = serde_json::json!({
            "computeEnvironments": [common::fargate_ce("ce", 64)],
            "jobQueues": [common::queue("q", 1, &["ce"])],
            "jobDefinitions": [common::fargate_def("d", "1", "2048")],
            "workload": [{"arrivals": {"process": "every", "seconds": 1}, "start": 0, "count": 20000,
                "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
                "runtime": {"distribution": "fixed", "seconds": 30}}]
        });
        let path = dir.join("long.json");
        std::fs::write(&path, scenario.to_string()).unwrap();
        let jobs = dir.join("jobs.parquet");
        run(path.to_str().unwrap(), &["--jobs", jobs.to_str().unwrap()]);
        let (batches, row_groups) = parquet_batches(&jobs);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 20000);
        assert_eq!(row_groups, 3, "20,000 rows in groups of 8,192");
        let last = batches.last().unwrap();
        let ids = last.column_by_name("jobId").unwrap().as_string::<i32>();
        assert_eq!(ids.value(ids.len() - 1), "20000", "rows in submission order");
    }
}
