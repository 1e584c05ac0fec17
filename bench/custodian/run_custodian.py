"""Cloud Custodian's own Lambda entry point, run locally for the benchmark (bench/custodian.ts).

prepare POLICY_FILE ISOLATION_GROUP_ID ACCOUNT_ID OUT_DIR
    Checks the policy against Custodian's schema and writes OUT_DIR/config.json, the file Custodian's
    deployment puts beside its Lambda handler (the policies and the execution options, the account id
    among them so that no STS call is made at init, as a deployed policy has it).

serve OUT_DIR
    One Lambda container: reads one GuardDuty EventBridge event per stdin line and answers each with
    one JSON line {importStartedAt, handlerStartedAt, finishedAt, error}, times in ms on the epoch
    clock. Each event is handled as the Lambda Custodian deploys handles it: `from c7n import handler`
    (what the generated handler module imports at init; a no-op once imported) then
    handler.dispatch_event(event, context). The first event of a process is its cold start (the
    import is timed from its start, the interpreter's own start is not), the later ones are warm.

Every AWS call goes where AWS_ENDPOINT_URL points (boto3 honours it): the benchmark's latency proxy.
Custodian writes each run's outputs (resources.json, its log) under /tmp/<policy name>/, as in Lambda,
where its configuration forces /tmp as the output directory.
"""
import json
import os
import sys
import time
import types

PLACEHOLDER = 'ISOLATION_GROUP_ID'


def epoch_ms():
    return time.time() * 1000


def prepare(policy_file, isolation_group_id, account_id, out_dir):
    import yaml
    from c7n.resources import load_resources
    from c7n.schema import validate
    from c7n.structure import StructureParser

    with open(policy_file) as f:
        text = f.read()
    if PLACEHOLDER not in text:
        raise SystemExit('%s names no %s to replace' % (policy_file, PLACEHOLDER))
    data = yaml.safe_load(text.replace(PLACEHOLDER, isolation_group_id))
    load_resources(StructureParser().get_resource_types(data))
    errors = validate(data)
    if errors:
        raise SystemExit('%s is not a valid Custodian policy: %s' % (policy_file, errors))
    config = {
        'execution-options': {'account_id': account_id, 'region': os.environ['AWS_DEFAULT_REGION']},
        'policies': data['policies'],
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        json.dump(config, f)


def lambda_context(request):
    return types.SimpleNamespace(
        function_name='custodian-ec2-guardduty-isolate',
        aws_request_id='bench-%d' % request,
        invoked_function_arn='arn:aws:lambda:us-east-1:000000000000:function:custodian-ec2-guardduty-isolate',
        get_remaining_time_in_millis=lambda: 60000,
    )


def serve(out_dir):
    # dispatch_event reads config.json from the working directory, as in Lambda's task root.
    os.chdir(out_dir)
    request = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        request += 1
        import_started_at = epoch_ms()
        from c7n import handler
        handler_started_at = epoch_ms()
        error = None
        try:
            handler.dispatch_event(event, lambda_context(request))
        except Exception as e:  # reported to the benchmark, which fails the run
            error = '%s: %s' % (type(e).__name__, e)
        answer = {
            'importStartedAt': import_started_at,
            'handlerStartedAt': handler_started_at,
            'finishedAt': epoch_ms(),
            'error': error,
        }
        sys.stdout.write(json.dumps(answer) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    command = sys.argv[1] if len(sys.argv) > 1 else ''
    if command == 'prepare' and len(sys.argv) == 6:
        prepare(*sys.argv[2:])
    elif command == 'serve' and len(sys.argv) == 3:
        serve(sys.argv[2])
    else:
        raise SystemExit(__doc__)
