/** The OpenAPI 3.1 paths and schemas of the route index's endpoints (segments, prefixes, VRFs); merged into openapi.ts. */
const problem = { $ref: '#/components/responses/Problem' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const paging = (max: number, dflt: number) => [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: max, default: dflt } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'opaque: the nextCursor of the previous page' },
];
const esiParam = { name: 'esi', in: 'path', required: true, schema: ref('Esi') };

export const routeIndexSchemas = {
  Esi: { type: 'string', pattern: '^([0-9a-f]{2}:){9}[0-9a-f]{2}$', description: '10 octets (RFC 7432 §5); dashes or dots accepted in requests' },
  SegmentMember: {
    type: 'object',
    required: ['vtep', 'fabric', 'esRoute', 'adPerEs', 'evis', 'routers'],
    properties: {
      vtep: { type: 'string' },
      fabric: { type: 'string' },
      esRoute: { type: 'boolean', description: 'advertises the Ethernet Segment route (type 4): a DF candidate (RFC 7432 §8.5)' },
      adPerEs: { type: 'boolean', description: 'advertises the per-ES Ethernet A-D route (RFC 7432 §8.2)' },
      evis: { type: 'integer', description: 'EVIs it advertises an A-D per EVI route for' },
      singleActive: { type: 'boolean', description: 'its ESI Label extended community flag (RFC 7432 §7.5)' },
      esiLabel: { type: 'integer' },
      routers: { type: 'array', items: { type: 'string' } },
    },
  },
  SegmentEvi: {
    type: 'object',
    required: ['id', 'ethernetTag', 'serviceValue', 'df', 'members'],
    properties: {
      id: { type: 'string', description: 'vni:<vni> or rt:<route target>, #<tag> for a non-zero Ethernet tag' },
      ethernetTag: { type: 'integer' },
      vni: { type: 'integer' },
      routeTarget: { type: 'string' },
      serviceValue: {
        type: ['integer', 'null'],
        description:
          'V of RFC 7432 §8.5: the Ethernet tag, else the VNI of a VXLAN EVI with tag 0 (RFC 8365 §5.1.3, RFC 8584); null when the routes carry none',
      },
      df: {
        type: ['string', 'null'],
        description: 'the designated forwarder: dfCandidates[V mod N]; null when V is unknown or the algorithm is not supported',
      },
      members: { type: 'array', items: { type: 'string' }, description: 'VTEPs advertising an A-D per EVI route for it' },
    },
  },
  Segment: {
    type: 'object',
    required: ['esi', 'fabrics', 'mode', 'esiLabel', 'members', 'dfCandidates', 'dfAlgorithm', 'evis', 'flags'],
    properties: {
      esi: ref('Esi'),
      fabrics: { type: 'array', items: { type: 'string' } },
      mode: { enum: ['all-active', 'single-active', 'unknown'], description: 'from the per-ES A-D routes’ ESI Label extended community (RFC 7432 §7.5)' },
      esiLabel: { type: ['integer', 'null'] },
      members: { type: 'array', items: ref('SegmentMember') },
      dfCandidates: { type: 'array', items: { type: 'string' }, description: 'type-4 originators in increasing numeric order (RFC 7432 §8.5)' },
      dfAlgorithm: {
        type: 'string',
        description: 'modulus (default), hrw or preference: from the DF Election extended community when all members agree (RFC 8584)',
      },
      dfUnsupported: { type: 'string', description: 'present when the algorithm in force is not computed (HRW, preference)' },
      evis: { type: 'array', items: ref('SegmentEvi') },
      flags: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kind'],
          properties: {
            kind: { enum: ['ad-per-evi-without-es-route', 'es-route-without-ad-routes', 'mode-mismatch', 'single-active-macs-on-several-members'] },
            vtep: { type: 'string' },
            macs: {
              type: 'array',
              description: 'single-active-macs-on-several-members: up to 20 of them, with the members advertising each',
              items: {
                type: 'object',
                properties: { mac: { type: 'string' }, segment: { type: 'string' }, members: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  },
  NextHop: {
    type: 'object',
    required: ['vtep', 'gatewayIp', 'routerMac', 'rds', 'routers', 'esi'],
    properties: {
      vtep: { type: 'string' },
      gatewayIp: { type: ['string', 'null'], description: 'RFC 9136 §3.1 gateway IP (null when zero)' },
      routerMac: { type: ['string', 'null'], description: 'RFC 9135 §8.1 router’s MAC extended community' },
      rds: { type: 'array', items: { type: 'string' } },
      routers: { type: 'array', items: { type: 'string' } },
      esi: { type: ['string', 'null'] },
    },
  },
  PrefixMatch: {
    type: 'object',
    required: ['vrf', 'fabric', 'prefix', 'nextHops'],
    properties: {
      vrf: { type: 'string', description: 'the L3 VNI, or the route target of an MPLS IP-VRF' },
      l3Vni: { type: 'integer' },
      routeTarget: { type: 'string' },
      fabric: { type: 'string' },
      prefix: { type: 'string' },
      nextHops: { type: 'array', items: ref('NextHop') },
      history: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            at: { type: 'string', format: 'date-time' },
            kind: { const: 'move' },
            from: { type: 'array', items: { type: 'string' } },
            to: { type: 'array', items: { type: 'string' } },
          },
        },
        description: 'the prefix moving between fabrics (data centers), newest first',
      },
    },
  },
  Vrf: {
    type: 'object',
    required: ['id', 'lengths'],
    properties: {
      id: { type: 'string' },
      l3Vni: { type: 'integer' },
      routeTarget: { type: 'string' },
      lengths: {
        type: 'object',
        properties: { ipv4: { type: 'array', items: { type: 'integer' } }, ipv6: { type: 'array', items: { type: 'integer' } } },
        description: 'prefix lengths present: the longest-prefix match reads one key per length',
      },
      href: { type: 'string' },
    },
  },
};

export const routeIndexPaths = {
  '/v1/segments': {
    get: {
      operationId: 'listSegments',
      summary: 'Ethernet segments with a live type-1 or type-4 route (paged)',
      parameters: paging(200, 50),
      responses: {
        '200': json('segments', {
          type: 'object',
          required: ['segments', 'nextCursor'],
          properties: {
            segments: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  esi: ref('Esi'),
                  fabrics: { type: 'array', items: { type: 'string' } },
                  mode: { type: 'string' },
                  esiLabel: { type: ['integer', 'null'] },
                  members: { type: 'array', items: { type: 'string' } },
                  evis: { type: 'integer' },
                  dfAlgorithm: { type: 'string' },
                  flags: { type: 'integer' },
                  href: { type: 'string' },
                },
              },
            },
            nextCursor: { type: ['string', 'null'] },
          },
        }),
        '400': problem,
      },
    },
  },
  '/v1/segments/{esi}': {
    get: {
      operationId: 'getSegment',
      summary: 'One Ethernet segment: members, redundancy mode, ESI label, EVIs with their designated forwarder, flags',
      parameters: [esiParam],
      responses: { '200': json('the segment', ref('Segment')), '400': problem, '404': problem },
    },
  },
  '/v1/prefixes': {
    get: {
      operationId: 'matchPrefix',
      summary: 'Longest-prefix match of an address in every IP-VRF and fabric (type-5 routes, RFC 9136)',
      description:
        'Bounded: one query of the VRF list, then per VRF one key read per prefix length present in it (at most 33 for IPv4, 129 for IPv6); cost.keysRead says how many.',
      parameters: [{ name: 'ip', in: 'query', required: true, schema: { type: 'string' } }],
      responses: {
        '200': json('the longest match per VRF and fabric', {
          type: 'object',
          required: ['ip', 'matches', 'cost'],
          properties: {
            ip: { type: 'string' },
            matches: { type: 'array', items: ref('PrefixMatch') },
            cost: { type: 'object', properties: { vrfs: { type: 'integer' }, keysRead: { type: 'integer' } } },
          },
        }),
        '400': problem,
        '404': problem,
      },
    },
  },
  '/v1/vrfs': {
    get: {
      operationId: 'listVrfs',
      summary: 'IP-VRFs seen in type-5 routes',
      responses: { '200': json('VRFs', { type: 'object', required: ['vrfs'], properties: { vrfs: { type: 'array', items: ref('Vrf') } } }) },
    },
  },
  '/v1/vrfs/{id}/prefixes': {
    get: {
      operationId: 'listVrfPrefixes',
      summary: 'The live prefixes of an IP-VRF (paged), with their next hops per fabric',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'the L3 VNI, or the route target (MPLS)' },
        { name: 'fabric', in: 'query', schema: { type: 'string' } },
        ...paging(500, 100),
      ],
      responses: {
        '200': json('prefixes', {
          type: 'object',
          required: ['vrf', 'prefixes', 'nextCursor'],
          properties: {
            vrf: { type: 'string' },
            prefixes: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  prefix: { type: 'string' },
                  fabrics: { type: 'array', items: { type: 'string' } },
                  nextHops: { type: 'array', items: { allOf: [ref('NextHop'), { type: 'object', properties: { fabric: { type: 'string' } } }] } },
                },
              },
            },
            nextCursor: { type: ['string', 'null'] },
          },
        }),
        '400': problem,
        '404': problem,
      },
    },
  },
};
