/** The OpenAPI 3.1 description of the query API, served at GET /v1/openapi.json. */
import { ALERT_KINDS, FABRIC_STATUSES } from '../../schemas/tables/index.js';
import { routeIndexPaths, routeIndexSchemas } from './openapi-route-index.js';

const problem = { $ref: '#/components/responses/Problem' };
const location = {
  type: 'object',
  required: ['fabric', 'vni', 'vtep', 'vteps', 'esi', 'routers', 'ips', 'sequence', 'since', 'lastSeen'],
  properties: {
    fabric: { type: 'string' },
    vni: { type: 'integer', minimum: 0, maximum: 16777215, description: '0 when the host is in an EVI without a VNI (MPLS, SRv6): see evi' },
    evi: { type: 'string', description: 'for a host learnt from routes without a VNI: the route target naming its EVI' },
    vtep: { type: 'string', description: 'best VTEP (lowest address on a multi-homed segment)' },
    vteps: { type: 'array', items: { type: 'string' } },
    esi: { type: 'string', pattern: '^([0-9a-f]{2}:){9}[0-9a-f]{2}$' },
    routers: { type: 'array', items: { type: 'string' } },
    ips: { type: 'array', items: { type: 'string' } },
    sequence: { type: 'integer', description: 'MAC mobility sequence number (RFC 7432 §7.7)' },
    since: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    competing: {
      type: 'array',
      items: { $ref: '#/components/schemas/CompetingAdvertisement' },
      description: 'other advertisements of the MAC in this VNI (current locations only, not with ?at=)',
    },
    segment: { type: 'string', description: 'a multi-homed location: its Ethernet segment, /v1/segments/{esi}' },
    redundancy: {
      enum: ['all-active', 'single-active', 'unknown'],
      description: 'a multi-homed location: its segment’s mode; single-active: vtep is the member advertising the MAC (RFC 7432 §14.1.1)',
    },
  },
};
const competing = {
  type: 'object',
  description: 'another advertisement of the MAC beside the chosen location',
  required: ['fabric', 'vtep', 'vteps', 'esi', 'routers', 'ips', 'sequence', 'lastSeen', 'conflicting'],
  properties: {
    fabric: { type: 'string' },
    vtep: { type: 'string' },
    vteps: { type: 'array', items: { type: 'string' } },
    esi: { type: 'string' },
    routers: { type: 'array', items: { type: 'string' } },
    ips: { type: 'array', items: { type: 'string' } },
    sequence: { type: 'integer' },
    lastSeen: { type: 'string', format: 'date-time' },
    conflicting: {
      type: 'boolean',
      description:
        'true: the same MAC mobility sequence number as the chosen location (a duplicate MAC, RFC 7432 §15.1); false: an older sequence (a move not yet withdrawn)',
    },
  },
};
const host = {
  type: 'object',
  required: ['mac', 'locations'],
  properties: { mac: { $ref: '#/components/schemas/Mac' }, locations: { type: 'array', items: { $ref: '#/components/schemas/Location' } } },
};
const hostsPage = {
  type: 'object',
  required: ['hosts', 'nextCursor'],
  properties: { hosts: { type: 'array', items: { $ref: '#/components/schemas/Host' } }, nextCursor: { type: ['string', 'null'] } },
};
const fabricName = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const nullableNumber = { type: ['number', 'null'] };
const rateProperties = {
  encapPps: nullableNumber,
  encapBps: nullableNumber,
  decapPps: nullableNumber,
  decapBps: nullableNumber,
  bumPps: nullableNumber,
  dropsPps: nullableNumber,
};
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'opaque: the nextCursor of the previous page' },
];

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'evpn-lens query API',
    version: '1.0.0',
    description: 'Where is this host, is a MAC flapping, is this fabric healthy: the global MAC/VNI index and the fabric health of EVPN-VXLAN fabrics.',
  },
  paths: {
    '/v1/hosts/{mac}': {
      get: {
        operationId: 'getHost',
        summary: 'Where a MAC is now (or was at a time), with its move history',
        parameters: [
          { name: 'mac', in: 'path', required: true, schema: { type: 'string' }, description: 'aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff' },
          { name: 'at', in: 'query', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': {
            description: 'the host',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['mac', 'locations', 'history'],
                  properties: {
                    mac: { $ref: '#/components/schemas/Mac' },
                    at: { type: 'string', format: 'date-time' },
                    locations: { type: 'array', items: { $ref: '#/components/schemas/Location' } },
                    history: { type: 'array', items: { $ref: '#/components/schemas/HistoryEntry' } },
                  },
                },
              },
            },
          },
          '400': problem,
          '404': problem,
        },
      },
    },
    '/v1/hosts': {
      get: {
        operationId: 'findHostsByIp',
        summary: 'Hosts bound to an IP address (from MAC/IP routes); else the covering prefixes (type 5), match: prefix',
        parameters: [{ name: 'ip', in: 'query', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'hosts',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['hosts'],
                  properties: {
                    ip: { type: 'string' },
                    match: { enum: ['host', 'prefix', 'none'], description: 'prefix: no MAC/IP route knows the address; prefixes are its longest matches' },
                    hosts: { type: 'array', items: { $ref: '#/components/schemas/Host' } },
                    prefixes: { type: 'array', items: { $ref: '#/components/schemas/PrefixMatch' } },
                  },
                },
              },
            },
          },
          '400': problem,
        },
      },
    },
    '/v1/vnis/{vni}/hosts': {
      get: {
        operationId: 'listVniHosts',
        summary: 'Hosts in a VNI, paged',
        parameters: [{ name: 'vni', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 16777215 } }, ...paging],
        responses: { '200': { description: 'a page', content: { 'application/json': { schema: hostsPage } } }, '400': problem },
      },
    },
    '/v1/vteps/{ip}/hosts': {
      get: {
        operationId: 'listVtepHosts',
        summary: 'Hosts behind a VTEP, paged',
        parameters: [{ name: 'ip', in: 'path', required: true, schema: { type: 'string' } }, ...paging],
        responses: { '200': { description: 'a page', content: { 'application/json': { schema: hostsPage } } }, '400': problem },
      },
    },
    '/v1/fabrics': {
      get: {
        operationId: 'listFabrics',
        summary: 'Fabrics configured and seen, with their status and MAC, VNI and VTEP counts',
        responses: {
          '200': {
            description: 'fabrics',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['fabrics'],
                  properties: {
                    fabrics: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['name', 'status', 'macs', 'vnis', 'vteps', 'movesPerMinute'],
                        properties: {
                          name: { type: 'string' },
                          status: {
                            oneOf: [{ $ref: '#/components/schemas/FabricStatus' }, { type: 'null' }],
                            description: 'null until the health function evaluated it',
                          },
                          reasons: { type: 'array', items: { type: 'string' } },
                          statusSince: { type: ['string', 'null'], format: 'date-time' },
                          configured: { type: 'boolean' },
                          seen: { type: 'boolean' },
                          macs: { type: 'integer' },
                          vnis: { type: 'integer' },
                          vteps: { type: 'integer' },
                          movesPerMinute: { type: 'number' },
                          macsPerVni: { type: 'object', additionalProperties: { type: 'integer' } },
                          macsPerEvi: {
                            type: 'object',
                            additionalProperties: { type: 'integer' },
                            description: 'MACs learnt from routes without a VNI (MPLS, SRv6), by the route target naming their EVI; not VNIs',
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/v1/alerts': {
      get: {
        operationId: 'listAlerts',
        summary: 'Alerts: MAC flaps, duplicate MACs, sticky MACs moving (about a MAC in a VNI) and fabric status changes (about a fabric)',
        parameters: [
          { name: 'type', in: 'query', schema: { type: 'string', enum: [...ALERT_KINDS] } },
          { name: 'fabric', in: 'query', schema: { type: 'string' }, description: 'alerts about this fabric or involving it' },
          { name: 'mac', in: 'query', schema: { type: 'string' }, description: 'alerts about this MAC' },
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'active', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: {
          '200': {
            description: 'alerts',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['alerts'], properties: { alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } } } },
              },
            },
          },
          '400': problem,
        },
      },
    },
    '/v1/fabrics/{name}/health': {
      get: {
        operationId: 'getFabricHealth',
        summary: 'Is this fabric healthy: status and reasons, BMP routers, BGP EVPN sessions, VTEPs, VNIs, MACs, routes, churn, flaps, freshness',
        parameters: [fabricName],
        responses: {
          '200': { description: 'the view', content: { 'application/json': { schema: { $ref: '#/components/schemas/FabricHealth' } } } },
          '400': problem,
          '404': problem,
        },
      },
    },
    '/v1/fabrics/{name}/vteps/{ip}': {
      get: {
        operationId: 'getFabricVtep',
        summary: 'One VTEP of a fabric: state, VNIs, routes, rates (also per VNI and per peer) and its last hour of rates',
        parameters: [fabricName, { name: 'ip', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'the VTEP',
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/Vtep' },
                    {
                      type: 'object',
                      required: ['fabric', 'perVni', 'perPeer', 'history'],
                      properties: {
                        fabric: { type: 'string' },
                        perVni: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'number' } } },
                        perPeer: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'number' } } },
                        history: { type: 'array', items: { $ref: '#/components/schemas/VtepPoint' } },
                      },
                    },
                  ],
                },
              },
            },
          },
          '400': problem,
          '404': problem,
        },
      },
    },
    '/v1/fabrics/{name}/history': {
      get: {
        operationId: 'getFabricHistory',
        summary: 'Per-minute route churn, MAC moves and VXLAN rates of a fabric (kept 24 hours), for charts',
        parameters: [
          fabricName,
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: an hour ago; at most 24 hours ago' },
          { name: 'vteps', in: 'query', schema: { type: 'boolean' }, description: 'also per-VTEP series (sparklines)' },
        ],
        responses: {
          '200': {
            description: 'one point per minute',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['fabric', 'since', 'resolutionSeconds', 'points'],
                  properties: {
                    fabric: { type: 'string' },
                    since: { type: 'string', format: 'date-time' },
                    resolutionSeconds: { type: 'integer' },
                    points: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['minute', 'churn', 'moves', 'dropsPps'],
                        properties: {
                          minute: { type: 'string' },
                          churn: { type: 'integer', description: 'routes appeared, gone or changed VTEP' },
                          moves: { type: 'integer', description: 'MAC moves into the fabric' },
                          ...rateProperties,
                          resets: { type: 'integer' },
                          wraps: { type: 'integer' },
                        },
                      },
                    },
                    vteps: { type: 'object', additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/VtepPoint' } } },
                  },
                },
              },
            },
          },
          '400': problem,
          '404': problem,
        },
      },
    },
    ...routeIndexPaths,
    '/v1/openapi.json': { get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    '/healthz': { get: { operationId: 'healthz', summary: 'Liveness', responses: { '200': { description: 'alive' } } } },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness: store (and locally Kafka and the consumers) reachable',
        responses: { '200': { description: 'ready' }, '503': problem },
      },
    },
  },
  components: {
    schemas: {
      ...routeIndexSchemas,
      Mac: { type: 'string', pattern: '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' },
      Location: location,
      CompetingAdvertisement: competing,
      AlertLocation: {
        type: 'object',
        required: ['fabric', 'vtep', 'esi', 'sequence'],
        properties: {
          fabric: { type: 'string' },
          vtep: { type: 'string' },
          vteps: { type: 'array', items: { type: 'string' } },
          esi: { type: 'string' },
          sequence: { type: 'integer' },
          vni: { type: 'integer' },
        },
      },
      Host: host,
      HistoryEntry: {
        type: 'object',
        required: ['at', 'kind'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          kind: { type: 'string', enum: ['move', 'appear', 'disappear'] },
          vni: { type: 'integer' },
          evi: { type: 'string' },
          from: { oneOf: [{ $ref: '#/components/schemas/Location' }, { type: 'null' }] },
          to: { oneOf: [{ $ref: '#/components/schemas/Location' }, { type: 'null' }] },
        },
      },
      Alert: {
        type: 'object',
        required: ['type', 'mac', 'vni', 'fabric', 'raisedAt', 'clearedAt', 'detail', 'severity'],
        properties: {
          id: { type: 'string' },
          type: { type: 'string', enum: [...ALERT_KINDS] },
          mac: { oneOf: [{ $ref: '#/components/schemas/Mac' }, { type: 'null' }], description: 'null for a fabric-status alert' },
          vni: { type: ['integer', 'null'] },
          evi: { type: 'string' },
          status: { $ref: '#/components/schemas/FabricStatus' },
          reasons: { type: 'array', items: { type: 'string' } },
          fabric: { type: 'string' },
          fabrics: { type: 'array', items: { type: 'string' } },
          raisedAt: { type: 'string', format: 'date-time' },
          clearedAt: { type: ['string', 'null'], format: 'date-time' },
          raisedBeforeRestart: {
            type: 'boolean',
            description: 'still active and raised before the running local stack started (carried over from its last run; cleared by the same rules)',
          },
          moveCount: { type: 'integer' },
          detail: { type: 'string' },
          severity: { type: 'string', enum: ['info', 'warning', 'critical'], description: 'critical when the locations span fabrics' },
          crossFabric: { type: 'boolean', description: 'the locations span more than one fabric (data center)' },
          locations: {
            type: 'array',
            items: { $ref: '#/components/schemas/AlertLocation' },
            description: 'where the MAC was advertised: the locations of a flap, every location of a duplicate',
          },
        },
      },
      FabricStatus: { type: 'string', enum: [...FABRIC_STATUSES] },
      Rates: { type: 'object', properties: rateProperties, description: 'per second over one minute; null where no counter gave a rate' },
      VtepPoint: {
        type: 'object',
        required: ['minute'],
        properties: { minute: { type: 'string' }, encapPps: nullableNumber, decapPps: nullableNumber, dropsPps: nullableNumber },
      },
      Vtep: {
        type: 'object',
        required: ['vtep', 'state', 'expected', 'sources', 'vnis', 'lastSeen', 'device', 'routes', 'imet', 'rates'],
        properties: {
          vtep: { type: 'string' },
          state: { type: 'string', enum: ['up', 'down', 'stale', 'missing'] },
          expected: { type: 'boolean' },
          sources: { type: 'array', items: { type: 'string', enum: ['bgp', 'gnmi'] } },
          vnis: { type: 'array', items: { type: 'integer' } },
          lastSeen: { type: ['string', 'null'], format: 'date-time' },
          device: { type: ['string', 'null'] },
          routes: { type: 'integer', description: 'live routes with it as next hop' },
          imet: { type: 'integer', description: 'inclusive multicast (type 3) routes it originated' },
          rates: {
            oneOf: [
              {
                allOf: [
                  { $ref: '#/components/schemas/Rates' },
                  { type: 'object', properties: { minute: { type: 'string' }, resets: { type: 'integer' }, wraps: { type: 'integer' } } },
                ],
              },
              { type: 'null' },
            ],
          },
        },
      },
      FabricHealth: {
        type: 'object',
        required: [
          'fabric',
          'status',
          'reasons',
          'updatedAt',
          'routers',
          'sessions',
          'vteps',
          'vnis',
          'macs',
          'routesByType',
          'churnPerMinute',
          'movesPerMinute',
          'flapping',
          'freshness',
        ],
        properties: {
          fabric: { type: 'string' },
          status: { $ref: '#/components/schemas/FabricStatus' },
          reasons: { type: 'array', items: { type: 'string' } },
          updatedAt: { type: ['string', 'null'], format: 'date-time', description: 'when the health function last evaluated the status' },
          routers: {
            type: 'array',
            items: {
              type: 'object',
              required: ['router', 'connected', 'since'],
              properties: {
                router: { type: 'string', description: 'address/BGP ID' },
                address: { type: 'string' },
                bgpId: { type: 'string' },
                sysName: { type: 'string' },
                connected: { type: 'boolean' },
                since: { type: 'string', format: 'date-time' },
                detail: { type: 'string' },
              },
            },
          },
          sessions: {
            type: 'object',
            required: ['up', 'total', 'down'],
            properties: {
              up: { type: 'integer' },
              total: { type: 'integer' },
              down: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['router', 'peer', 'state', 'reason', 'since'],
                  properties: {
                    router: { type: 'string' },
                    sysName: { type: 'string' },
                    peer: { type: 'string' },
                    peerAsn: { type: 'integer' },
                    state: { type: 'string', enum: ['down', 'unknown'] },
                    reason: { type: 'string' },
                    since: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          vteps: { type: 'array', items: { $ref: '#/components/schemas/Vtep' } },
          vnis: {
            type: 'array',
            items: {
              type: 'object',
              required: ['vni', 'vteps', 'macs'],
              properties: {
                vni: { type: 'integer' },
                vteps: { type: 'array', items: { type: 'string' } },
                macs: { type: 'integer', description: "the MAC index's MACs in the VNI" },
                macCounts: {
                  type: 'object',
                  description: 'MACs as each plane sees them: advertised per VTEP (MAC-only type-2 routes), remote MACs held per device (gNMI)',
                  properties: {
                    advertised: { type: 'object', additionalProperties: { type: 'integer' } },
                    remote: { type: 'object', additionalProperties: { type: 'integer' } },
                  },
                },
              },
            },
          },
          macs: { type: 'integer' },
          routesByType: { type: 'object', additionalProperties: { type: 'integer' }, description: 'live routes by EVPN route type (1..5)' },
          churnPerMinute: { type: 'number' },
          movesPerMinute: { type: 'number' },
          flapping: {
            type: 'array',
            items: {
              type: 'object',
              required: ['mac', 'vni', 'since'],
              properties: {
                mac: { $ref: '#/components/schemas/Mac' },
                vni: { type: 'integer' },
                since: { type: 'string', format: 'date-time' },
                moveCount: { type: 'integer' },
                detail: { type: 'string' },
              },
            },
          },
          tunnels: {
            type: 'array',
            description:
              'remote VTEP peers and VNIs that fresh gNMI devices report down (or deleted, for an hour); stale when their state stopped being refreshed',
            items: {
              type: 'object',
              required: ['device', 'vtep', 'kind', 'key', 'endpoint', 'state', 'since', 'stale', 'lastSeen'],
              properties: {
                device: { type: 'string' },
                vtep: { type: 'string', description: "the device's own VTEP address, when known" },
                kind: { type: 'string', enum: ['peer', 'vni'] },
                key: { type: 'string', description: "the peer's address, or the VNI" },
                endpoint: { type: 'string' },
                state: { type: 'string', description: 'DOWN (or another state the device sends), or DELETED; when stale, its last state' },
                since: { type: 'string', format: 'date-time' },
                stale: { type: 'boolean', description: "not refreshed within health.staleAfterIntervals of its subscription set's interval" },
                lastSeen: { type: ['string', 'null'], format: 'date-time', description: 'last refresh (null: its set promised none)' },
              },
            },
          },
          staleLeaves: {
            type: 'array',
            description:
              "peers and VNIs of fresh gNMI devices whose state was not refreshed within health.staleAfterIntervals of its subscription set's interval (kept with their last state; shaped as tunnels)",
            items: { type: 'object' },
          },
          crossCheck: {
            type: 'array',
            description:
              'control plane (BMP) against data plane (gNMI): tunnel, a VTEP advertising a VNI (type-3 route) to which a device serving it has no tunnel up; macs, a device holding more or fewer remote MACs in a VNI than the other VTEPs advertise (type-2 routes) beyond health.rules.macCountTolerancePercent',
            items: {
              type: 'object',
              required: ['kind', 'device', 'vtep', 'vni', 'peer', 'detail', 'since'],
              properties: {
                kind: { type: 'string', enum: ['tunnel', 'macs'] },
                deviceMacs: { type: 'integer' },
                advertisedMacs: { type: 'integer' },
                device: { type: 'string' },
                vtep: { type: 'string' },
                vni: { type: 'integer' },
                peer: { type: 'string' },
                detail: { type: 'string' },
                since: { type: 'string', format: 'date-time' },
              },
            },
          },
          freshness: {
            type: 'object',
            required: ['stale', 'sources'],
            properties: {
              stale: { type: 'integer' },
              sources: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'name', 'state', 'lastSeen', 'detail'],
                  properties: {
                    kind: { type: 'string', enum: ['bmp', 'gnmi'] },
                    name: { type: 'string' },
                    state: { type: 'string', enum: ['fresh', 'stale'] },
                    lastSeen: { type: ['string', 'null'], format: 'date-time' },
                    detail: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
        },
      },
    },
    responses: {
      Problem: { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    },
  },
} as const;
