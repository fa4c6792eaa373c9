-- Grades and sizes become words the search finds ("psa", "psa10", "grade10", "10"; "us105",
-- "size105", "105"), as `domain::search::graded_size_words` indexes new and edited items.
UPDATE items SET search_text = trim(search_text
    || CASE WHEN (details::jsonb ->> 'grading_company') IS NOT NULL THEN ' ' || lower((details::jsonb ->> 'grading_company')) ELSE '' END
    || CASE WHEN grade IS NOT NULL AND grade <> '' THEN
           CASE WHEN (details::jsonb ->> 'grading_company') IS NOT NULL THEN ' ' || lower((details::jsonb ->> 'grading_company')) || replace(grade, '.', '') ELSE '' END
           || ' grade' || replace(grade, '.', '') || ' ' || replace(grade, '.', '')
       ELSE '' END
    || CASE WHEN size IS NOT NULL AND size <> '' THEN
           CASE WHEN (details::jsonb ->> 'size_system') IN ('us_m', 'us_w', 'us_gs') THEN ' us' || replace(replace(replace(size, '.', ''), ' ', ''), '/', '')
                WHEN (details::jsonb ->> 'size_system') IN ('eu', 'uk') THEN ' ' || (details::jsonb ->> 'size_system') || replace(replace(replace(size, '.', ''), ' ', ''), '/', '')
                ELSE '' END
           || ' size' || replace(replace(replace(size, '.', ''), ' ', ''), '/', '') || ' ' || replace(replace(replace(size, '.', ''), ' ', ''), '/', '')
       ELSE '' END)
WHERE (grade IS NOT NULL AND grade <> '') OR (size IS NOT NULL AND size <> '')
   OR (details::jsonb ->> 'grading_company') IS NOT NULL;
