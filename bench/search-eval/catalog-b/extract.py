"""
How catalog-b.json was made (run once; kept as the record, not run by the bench).

Source: NangoHQ/integration-templates (https://github.com/NangoHQ/integration-templates), commit
3196dff2e, Elastic License 2.0 — the action definitions under integrations/<app>/actions/*.ts.
For each app below: every action file, sorted by name, then at most PER_APP of them taken evenly
spaced; the action's key is the file name, its name the key in words, its description the
`description` of `createAction`, its input schema the top-level keys of `InputSchema`
(with their `.describe()` text), and its Integration.app-style type from the endpoint's HTTP method
where the definition gives one (GET → list/find, PUT/PATCH → update, DELETE → delete; POST and
unknown → no type, as many real actions have none).

usage: python3 extract.py <path to a git checkout of integration-templates> > catalog-b.json
"""
import json, re, subprocess, sys

REPO = sys.argv[1]
PER_APP = 11
APPS = {
    'xero': 'Xero', 'quickbooks': 'QuickBooks', 'freshbooks': 'FreshBooks', 'zoho-books': 'Zoho Books',
    'shopify': 'Shopify', 'woocommerce': 'WooCommerce', 'bigcommerce': 'BigCommerce', 'squareup': 'Square',
    'chargebee': 'Chargebee', 'paypal': 'PayPal',
    'github': 'GitHub', 'gitlab': 'GitLab', 'bitbucket': 'Bitbucket', 'vercel': 'Vercel', 'datadog': 'Datadog', 'posthog': 'PostHog',
    'bamboohr-basic': 'BambooHR', 'workable': 'Workable', 'lever': 'Lever', 'okta': 'Okta', 'timetastic': 'Timetastic',
    'box': 'Box', 'dropbox': 'Dropbox', 'google-drive': 'Google Drive', 'sharepoint-online': 'SharePoint',
    'amplitude': 'Amplitude', 'mixpanel': 'Mixpanel', 'docusign': 'DocuSign',
}

def git(*args):
    return subprocess.run(['git', '-C', REPO, *args], capture_output=True, text=True, check=True).stdout

def words(key):
    return ' '.join(w.capitalize() for w in key.split('-'))

def parse(src):
    m = re.search(r"createAction\(\{([\s\S]*?)\bexec\s*:", src)
    block = m.group(1) if m else ''
    d = re.search(r"description:\s*(['\"`])((?:\\.|(?!\1).)*)\1", block)
    method = re.search(r"method:\s*['\"](GET|POST|PUT|PATCH|DELETE)['\"]", block)
    props = {}
    s = re.search(r"const InputSchema = z\.object\(\{\n([\s\S]*?)\n\}\)", src)
    if s:
        for line in s.group(1).split('\n'):
            p = re.match(r"^ {4}(\w+)\s*:(.*)$", line)
            if not p:
                continue
            desc = re.search(r"\.describe\((['\"`])((?:\\.|(?!\1).)*)\1\)", p.group(2))
            props[p.group(1)] = {'type': 'string', **({'description': desc.group(2)[:200]} if desc else {})}
    return (d.group(2).replace("\\'", "'") if d else None), (method.group(1) if method else None), props

def type_of(key, method):
    if method == 'GET':
        return 'list-data-records' if key.startswith('list') else 'find-data-record-by-id'
    if method in ('PUT', 'PATCH'):
        return 'update-data-record'
    if method == 'DELETE':
        return 'delete-data-record'
    return None

integrations = []
for app, name in APPS.items():
    files = sorted(f for f in git('ls-tree', '--name-only', 'HEAD', f'integrations/{app}/actions/').split('\n') if f.endswith('.ts') and not f.endswith('.test.ts'))
    step = max(1, len(files) / PER_APP)
    chosen = sorted({files[int(i * step)] for i in range(min(PER_APP, len(files)))})
    actions = []
    for f in chosen:
        key = f.rsplit('/', 1)[1][:-3]
        description, method, props = parse(git('show', f'HEAD:{f}'))
        action = {'key': key, 'name': words(key)}
        if description:
            action['description'] = description
        action['inputSchema'] = {'type': 'object', 'properties': props}
        t = type_of(key, method)
        if t:
            action['type'] = t
        actions.append(action)
    integrations.append({'id': f'int-{app}', 'key': app, 'name': name, 'actions': actions})

fixture = {'workspaces': [{'key': 'search-eval-b', 'secret': 'search-eval-b-secret', 'integrations': integrations,
    'customers': [{'id': 'eval-b-customer', 'name': 'Eval B', 'connections': [{'id': f'conn-{i["key"]}', 'name': i['name'], 'integrationKey': i['key']} for i in integrations]}]}]}
json.dump(fixture, sys.stdout, indent=1)
print()
