-- token pricing per agent (original-spec §3.5); null falls back to kaizen.governance.defaults.*
-- rates are USD per token, exact to 12 decimals (a millionth of a micro-USD); the base is USD per call
alter table agent_governance
    add column input_token_rate     numeric(18, 12),
    add column output_token_rate    numeric(18, 12),
    add column base_invocation_cost numeric(18, 6);
