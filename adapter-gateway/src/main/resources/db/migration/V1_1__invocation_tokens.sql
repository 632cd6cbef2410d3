-- token counts the agent reported (original-spec §3.3 input_tokens, output_tokens); null when it reported none
alter table invocation
    add column input_tokens  bigint,
    add column output_tokens bigint;
