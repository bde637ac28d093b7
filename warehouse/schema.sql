-- Warehouse schema: the whole data model of docs/data-model.md.
-- Layers: reference tables (organisation .. spillover_link), facts (spend, budget,
-- indicator_value, service_activity), provenance (load_log, rejected_row) and marts
-- (mart_*, written by warehouse/marts.sql at the grain the dashboard reads).
-- Keys are codes, never display names. Financial years are written '2023/24'.

-- one row per organisation that spends or bears costs (the council, NHS bodies, police)
create table organisation (
    org_code varchar primary key,
    org_name varchar not null,
    org_type varchar not null check (org_type in ('council', 'nhs', 'police', 'other')),
    is_council boolean not null
);

-- one row per department (a payer: it funds services or bears the cost of outcomes)
create table department (
    dept_code varchar primary key,
    org_code varchar not null references organisation (org_code),
    dept_name varchar not null
);

-- one row per service (a SeRCOP-style service line run by one department)
create table service (
    service_code varchar primary key,
    dept_code varchar not null references department (dept_code),
    service_name varchar not null,
    statutory boolean not null,
    sercop_line varchar,
    activity_unit varchar
);

-- one row per investment area (an outcome the council invests in)
create table investment_area (
    area_code varchar primary key,
    area_name varchar not null,
    outcome_statement varchar not null,
    sort_order integer not null
);

-- one row per service x investment area; a service's shares sum to 1
create table service_allocation (
    service_code varchar not null references service (service_code),
    area_code varchar not null references investment_area (area_code),
    share double not null check (share > 0 and share <= 1),
    primary key (service_code, area_code)
);

-- one row per (department, service area) label pair in the spend file -> service
create table spend_mapping (
    department_label varchar not null,
    service_area_label varchar not null,
    service_code varchar not null references service (service_code),
    primary key (department_label, service_area_label)
);

-- A council's column map: the canonical column is read from the n-th header cell with this
-- text (1 = the first), whatever the synonyms say.
-- one row per spend column a council's files name in their own way
create table spend_column_map (
    column_name varchar primary key,
    header varchar not null,
    occurrence integer not null check (occurrence >= 1)
);

-- Key (source_file, line_no) and service_code -> service (service_code) are enforced by the
-- spend loader in each file's transaction (warehouse/loaders/spend.py, check_keys) and by the
-- data checks spend_key_unique and spend_service_exists, not declared here: DuckDB checks a
-- declared key row by row, which doubled the time of a million-row load.
-- Text is kept as published. A payment whose labels no mapping places yet has a null
-- service_code: it is *not yet allocated* (loading a mapping later allocates it). text_marks
-- says when the supplier or expense type is blank or redacted ('supplier redacted; expense
-- type blank').
-- one row per payment line of a spend-over-£500 file (credit notes are negative)
create table spend (
    source_file varchar not null,
    line_no integer not null,
    body_name varchar,
    department_label varchar not null,
    service_area_label varchar not null,
    service_code varchar,
    expense_type varchar not null,
    payment_date date not null,
    financial_year varchar not null,
    transaction_ref varchar,
    amount_gbp decimal(14, 2) not null,
    supplier_name varchar not null,
    purpose varchar,
    text_marks varchar
);

-- one row per service x financial year x version (draft, approved or outturn)
create table budget (
    service_code varchar not null references service (service_code),
    financial_year varchar not null,
    version varchar not null check (version in ('draft', 'approved', 'outturn')),
    amount_gbp decimal(14, 2) not null,
    published boolean not null,
    source_file varchar not null,
    primary key (service_code, financial_year, version)
);

-- one row per service x financial year: activity bought (places, hours, homes)
create table service_activity (
    service_code varchar not null references service (service_code),
    financial_year varchar not null,
    activity_unit varchar not null,
    units double not null check (units >= 0),
    source_file varchar not null,
    primary key (service_code, financial_year)
);

-- one row per indicator (Fingertips id, or a local id from 900001)
create table indicator (
    indicator_id integer primary key,
    indicator_name varchar not null,
    value_type varchar not null,
    multiplier double not null,
    polarity varchar not null check (polarity in ('higher is better', 'lower is better', 'no judgement')),
    unit_label varchar not null,
    source varchar not null,
    licence varchar not null,
    -- how it is benchmarked (Fingertips BenchmarkComparisonMethod): 'interval' at
    -- comparison_level (0.95 or 0.998), 'quintiles' or 'none'; 95% where the source is silent
    comparison_method varchar not null default 'interval'
        check (comparison_method in ('interval', 'quintiles', 'none')),
    comparison_level double default 0.95
        check ((comparison_method = 'interval') = coalesce(comparison_level in (0.95, 0.998), false))
);

-- one row per indicator x place x period x sex x age x category
create table indicator_value (
    indicator_id integer not null references indicator (indicator_id),
    geo_code varchar not null,
    geo_name varchar not null,
    period varchar not null,
    sex varchar not null,
    age varchar not null,
    category varchar not null,
    numerator double,
    denominator double,
    value double,
    lower95 double,
    upper95 double,
    lower998 double,
    upper998 double,
    ci_method varchar,
    source_file varchar not null,
    line_no integer not null,
    primary key (indicator_id, geo_code, period, sex, age, category)
);

-- one row per investment area x indicator: which indicators measure the area's outcome
create table outcome_link (
    area_code varchar not null references investment_area (area_code),
    indicator_id integer not null references indicator (indicator_id),
    role varchar not null check (role in ('outcome units', 'main', 'supporting')),
    outcome_unit_label varchar,
    primary key (area_code, indicator_id)
);

-- one row per geography used for benchmarks and for the borough itself
create table geography (
    geo_code varchar primary key,
    geo_name varchar not null,
    geo_role varchar not null check (geo_role in ('borough', 'region', 'country'))
);

-- one row per cost item (an A&E attendance, an hour of home care) with its payer
create table unit_cost (
    cost_item varchar primary key,
    label varchar not null,
    payer_code varchar not null references department (dept_code),
    unit_cost_gbp double not null check (unit_cost_gbp >= 0),
    unit_cost_low_gbp double not null,
    unit_cost_high_gbp double not null,
    price_year varchar not null,
    source varchar not null
);

-- one row per spill-over link: service activity -> outcome -> cost item paid by a payer
create table spillover_link (
    link_id varchar primary key,
    service_code varchar not null references service (service_code),
    activity_unit varchar not null,
    activity_unit_cost_gbp double not null check (activity_unit_cost_gbp > 0),
    outcome_code varchar not null,
    outcome_label varchar not null,
    events_per_unit double not null check (events_per_unit >= 0),
    effect_ratio double not null,
    effect_ratio_low double not null,
    effect_ratio_high double not null,
    cost_item varchar not null references unit_cost (cost_item),
    payer_code varchar not null references department (dept_code),
    lag_years integer not null check (lag_years >= 0),
    drop_off double not null check (drop_off >= 0 and drop_off <= 1),
    evidence_grade varchar not null check (evidence_grade in ('high', 'moderate', 'low', 'very low')),
    source varchar not null
);

-- the GDP deflator: ONS YBGB averaged over April-March, as HM Treasury does
-- one row per financial year, index with the base year = 100
create table gdp_deflator (
    financial_year varchar primary key,
    deflator double not null,
    base_year varchar not null,
    release varchar not null
);

-- Only published scenarios live here; drafts are kept in the separate writable draft store.
-- one row per scenario (a proposed set of spend changes)
create table scenario (
    scenario_id varchar primary key,
    name varchar not null,
    description varchar not null,
    status varchar not null check (status in ('draft', 'published')),
    owner varchar not null,
    created_at varchar not null
);

-- one row per scenario x service changed
create table scenario_change (
    scenario_id varchar not null references scenario (scenario_id),
    service_code varchar not null references service (service_code),
    change_type varchar not null check (change_type in ('amount', 'percent')),
    change_value double not null,
    primary key (scenario_id, service_code)
);

-- one row per file load attempt
create table load_log (
    load_id integer primary key,
    kind varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null check (status in ('loaded', 'refused', 'skipped')),
    loaded_by varchar not null,
    message varchar
);

-- one row per refused source row, with why
create table rejected_row (
    load_id integer not null references load_log (load_id),
    file_name varchar not null,
    line_no integer not null,
    column_name varchar,
    raw_text varchar not null,
    reason varchar not null
);

-- one row per build (the warehouse version the cache keys on)
create table build_info (
    build_id varchar not null,
    built_at timestamp not null,
    source_dir_sha256 varchar not null,
    borough_code varchar not null,
    borough_name varchar not null,
    is_demo boolean not null,
    latest_year varchar not null
);

-- one row per (department, expense type) label pair of a spend file -> service (files with no service-area column)
create table spend_expense_mapping (
    department_label varchar not null,
    expense_type varchar not null,
    service_code varchar not null references service (service_code),
    primary key (department_label, expense_type)
);

-- one row per authority x financial year x Revenue Outturn (RS) service line: net current expenditure
create table outturn (
    e_code varchar not null,
    ons_code varchar,
    authority_name varchar not null,
    authority_class varchar,
    financial_year varchar not null,
    rs_line integer,
    service_line varchar not null,
    net_current_expenditure_gbp double not null,
    published_source varchar,
    source_file varchar not null,
    line_no integer not null,
    primary key (e_code, financial_year, service_line)
);

-- one row per council x adult social care measure (ASCOF / Oflog code) x financial year x breakdown
create table ascof_value (
    measure_code varchar not null,
    measure_name varchar not null,
    geo_code varchar not null,
    geo_name varchar not null,
    financial_year varchar not null,
    breakdown varchar not null,
    value double,
    numerator double,
    denominator double,
    comparator_median double,
    polarity varchar check (polarity in ('higher is better', 'lower is better', 'no judgement')),
    source_file varchar not null,
    line_no integer not null,
    primary key (measure_code, geo_code, financial_year, breakdown)
);

-- one row per NHS National Cost Collection year x service x currency (HRG or activity) code
create table nhs_unit_cost (
    collection_year varchar not null,
    service varchar not null,
    currency_code varchar not null,
    currency_desc varchar not null,
    activity double,
    unit_cost_gbp double not null check (unit_cost_gbp >= 0),
    total_cost_gbp double,
    source_file varchar not null,
    line_no integer not null,
    primary key (collection_year, service, currency_code)
);
