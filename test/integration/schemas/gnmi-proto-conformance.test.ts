/**
 * schemas/proto/gnmi was written here from the gNMI specification. This compares it, message by message and field by
 * field (names, numbers, types, labels, oneofs), enum by enum and method by method, with the reference protos of the Go
 * module github.com/openconfig/gnmi@v0.14.1, fetched now from the Go module proxy.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { downloadGoModule } from '../../support/go-module.js';

const ours = resolve(import.meta.dirname, '../../../schemas/proto/gnmi');

type Shape = Record<string, unknown>;

/** Every message, enum and service of a namespace as plain data keyed by full name. */
function describeNamespace(ns: protobuf.NamespaceBase, out: Record<string, Shape> = {}): Record<string, Shape> {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) {
      out[`message ${obj.fullName}`] = {
        fields: Object.fromEntries(
          obj.fieldsArray.map((f) => [
            f.name,
            {
              id: f.id,
              type: f.type,
              rule: f.repeated ? 'repeated' : 'singular',
              map: f instanceof protobuf.MapField ? f.keyType : undefined,
              oneof: f.partOf?.name,
              deprecated: f.options?.deprecated === true,
            },
          ]),
        ),
        reserved: obj.reserved ?? [],
        deprecated: obj.options?.deprecated === true,
      };
    } else if (obj instanceof protobuf.Enum) {
      out[`enum ${obj.fullName}`] = { values: { ...obj.values } };
    } else if (obj instanceof protobuf.Service) {
      out[`service ${obj.fullName}`] = {
        methods: Object.fromEntries(
          obj.methodsArray.map((m) => [
            m.name,
            { request: m.requestType, requestStream: Boolean(m.requestStream), response: m.responseType, responseStream: Boolean(m.responseStream) },
          ]),
        ),
      };
    }
    if (obj instanceof protobuf.Namespace) describeNamespace(obj, out);
  }
  return out;
}

function parse(file: string): Record<string, Shape> {
  const { root } = protobuf.parse(readFileSync(file, 'utf8'), { keepCase: true, alternateCommentMode: false });
  return describeNamespace(root);
}

describe('schemas/proto/gnmi', () => {
  const reference = downloadGoModule('github.com/openconfig/gnmi', 'v0.14.1');

  for (const [name, refPath] of [
    ['gnmi.proto', 'proto/gnmi/gnmi.proto'],
    ['gnmi_ext.proto', 'proto/gnmi_ext/gnmi_ext.proto'],
  ] as const) {
    it(`${name} has the reference's messages, fields, enums and services, field by field`, () => {
      const theirs = parse(join(reference.Dir, refPath));
      const mine = parse(join(ours, name));

      expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
      for (const key of Object.keys(theirs)) expect({ [key]: mine[key] }).toEqual({ [key]: theirs[key] });
      expect(Object.keys(theirs).length).toBeGreaterThan(name === 'gnmi.proto' ? 25 : 15);
    });
  }
});
