// A real OAuth 2.0 authorization server for the tests: oidc-provider, configured like the servers
// authcheck diagnoses (client_credentials, RFC 7662 introspection, RFC 7009 revocation, opaque and
// JWT access tokens, secrets with `+`, `/` and `=`). Started by tests/fakes/oidc.py:
//   node server.mjs --port 12345
// Prints "listening <issuer>" on stdout once it accepts connections.
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
const host = values.host ?? '127.0.0.1';
const port = Number(values.port ?? 0);
const issuer = `http://${host}:${port}`;

// The resource server whose tokens are JWTs; clients get it by default when registered with
// `jwt_resource: true` below (kept as a plain list so the Python fixture can mirror it).
const JWT_RESOURCE = 'https://api.authcheck.test';
const JWT_CLIENTS = new Set(['svc-jwt']);

const clients = [
  {
    // Secret with all three characters that Basic encoding changes.
    client_id: 'svc-plus',
    client_secret: 'Sx+9/aQ=b+Yz/Tk2==',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'read write',
  },
  {
    client_id: 'svc-post',
    client_secret: 'Po+st/Secret=42xyz',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
    scope: 'read',
  },
  {
    client_id: 'svc-jwt',
    client_secret: 'Jwt+Client/Secret=7',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'read write',
  },
  {
    // The client the bot uses to call introspection.
    client_id: 'introspector',
    client_secret: 'In+tro/Spect=or99',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
];

const provider = new Provider(issuer, {
  clients,
  scopes: ['read', 'write', 'admin'],
  clientBasedCORS: () => true,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client) => (JWT_CLIENTS.has(client.clientId) ? JWT_RESOURCE : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => {
        if (resourceIndicator !== JWT_RESOURCE) {
          throw new Error('unknown resource');
        }
        return {
          scope: 'read write',
          audience: JWT_RESOURCE,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: {
    ClientCredentials: 600,
  },
});

const server = provider.listen(port, host, () => {
  const actual = server.address().port;
  process.stdout.write(`listening http://${host}:${actual}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
