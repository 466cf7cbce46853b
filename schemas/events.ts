/**
 * The protobuf messages on Kafka, generated from schemas/proto by `npm run proto:gen`.
 * Import event types and codecs from here, never from schemas/gen directly.
 */
import { evpnlens } from './gen/evpnlens.js';

export const v1 = evpnlens.v1;
export const {
  RouteEvent,
  RouteEventBatch,
  SessionEvent,
  VtepSample,
  VtepSampleBatch,
  TargetEvent,
  Alert,
  AlertLocation,
  Peer,
  Router,
  PmsiTunnel,
  RawAttribute,
  PeerType,
  RibView,
  RouteAction,
  WithdrawReason,
  Encapsulation,
  VniSource,
  SessionEventKind,
  SampleKind,
  TargetEventKind,
  AlertType,
  AlertState,
  AlertSeverity,
} = evpnlens.v1;

export type IRouteEvent = evpnlens.v1.IRouteEvent;
export type ISessionEvent = evpnlens.v1.ISessionEvent;
export type IVtepSample = evpnlens.v1.IVtepSample;
export type IVtepSampleBatch = evpnlens.v1.IVtepSampleBatch;
export type ITargetEvent = evpnlens.v1.ITargetEvent;
export type IAlert = evpnlens.v1.IAlert;
export type IPeer = evpnlens.v1.IPeer;
export type IRouter = evpnlens.v1.IRouter;
export type RouteEvent = evpnlens.v1.RouteEvent;
export type SessionEvent = evpnlens.v1.SessionEvent;
export type VtepSample = evpnlens.v1.VtepSample;
export type SampleKind = evpnlens.v1.SampleKind;
export type TargetEventKind = evpnlens.v1.TargetEventKind;
export type Alert = evpnlens.v1.Alert;
export type PeerType = evpnlens.v1.PeerType;
export type RibView = evpnlens.v1.RibView;
export type RouteAction = evpnlens.v1.RouteAction;
export type WithdrawReason = evpnlens.v1.WithdrawReason;
export type Encapsulation = evpnlens.v1.Encapsulation;
export type VniSource = evpnlens.v1.VniSource;
export type SessionEventKind = evpnlens.v1.SessionEventKind;
export type AlertType = evpnlens.v1.AlertType;
export type AlertState = evpnlens.v1.AlertState;

/** JSON form used by the CLI's `tail` and by logs: protobuf JSON mapping names, 64-bit values as strings. */
export const JSON_OPTIONS = { longs: String, enums: String, bytes: String, defaults: false } as const;
export type IRouteEventBatch = evpnlens.v1.IRouteEventBatch;
export type AlertSeverity = evpnlens.v1.AlertSeverity;
