-- Every report document a refresh saw, loaded or failed, named by its file: the marts name
-- a document by its id (a hash of its bytes); this is where an analyst finds which file,
-- association, kind and period it is.

with

documents as (

    select * from {{ ref('stg_reports__report_documents') }}

),

final as (

    select
        document_id,
        -- The last part of a path, URL or `embedded:` name: what an analyst recognises.
        regexp_extract(source, '[^/\\:]+$') as document_name,
        source,
        association_id,
        association_name_as_printed,
        report_type,
        period_start,
        period_end,
        status,
        error,
        n_figures,
        reading,
        arithmetic_checks_passed,
        arithmetic_checks_possible,
        -- How far to trust the document's figures: the share of its own arithmetic they
        -- satisfy (null when it allows no check).
        round(arithmetic_checks_passed / nullif(arithmetic_checks_possible, 0), 4)
            as arithmetic_score,
        is_sample

    from documents

)

select * from final
