import {
  checkInt64,
  checkLength,
  colBig,
  colBigOrNull,
  colBytes,
  colBytesOrNull,
  colNum,
  colNumOrNull,
  colStr,
  colStrOrNull,
  type Executor,
  type Row,
} from './sql.js';
import type { InvoiceRepository, PaymentRepository } from './store.js';
import type { InvoiceRecord, InvoiceStatus, PaymentRecord, PaymentStatus } from './types.js';

function toPayment(r: Row): PaymentRecord {
  return {
    paymentId: colBytes(r, 'payment_id'),
    paymentHash: colBytes(r, 'payment_hash'),
    destination: colBytes(r, 'destination'),
    amountMsat: colBig(r, 'amount_msat'),
    feeMsat: colBig(r, 'fee_msat'),
    status: colStr(r, 'status') as PaymentStatus,
    preimage: colBytesOrNull(r, 'preimage'),
    bolt11: colStrOrNull(r, 'bolt11'),
    failureReason: colStrOrNull(r, 'failure_reason'),
    createdAt: colNum(r, 'created_at'),
    completedAt: colNumOrNull(r, 'completed_at'),
  };
}

/** Outgoing payments (BOLT 4/11 on the sending side). */
export function paymentRepository(ex: Executor): PaymentRepository {
  return {
    async put(p) {
      checkLength('paymentId', p.paymentId, 32);
      checkLength('paymentHash', p.paymentHash, 32);
      checkLength('destination', p.destination, 33);
      await ex.run(
        `INSERT INTO payments (payment_id, payment_hash, destination, amount_msat, fee_msat, status, preimage, bolt11,
           failure_reason, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (payment_id) DO UPDATE SET payment_hash = excluded.payment_hash,
           destination = excluded.destination, amount_msat = excluded.amount_msat, fee_msat = excluded.fee_msat,
           status = excluded.status, preimage = excluded.preimage, bolt11 = excluded.bolt11,
           failure_reason = excluded.failure_reason, created_at = excluded.created_at,
           completed_at = excluded.completed_at`,
        [
          p.paymentId,
          p.paymentHash,
          p.destination,
          checkInt64('amountMsat', p.amountMsat),
          checkInt64('feeMsat', p.feeMsat),
          p.status,
          p.preimage,
          p.bolt11,
          p.failureReason,
          p.createdAt,
          p.completedAt,
        ],
      );
    },
    async get(paymentId) {
      const rows = await ex.all('SELECT * FROM payments WHERE payment_id = ?', [paymentId]);
      return rows[0] ? toPayment(rows[0]) : undefined;
    },
    async listByPaymentHash(paymentHash) {
      return (
        await ex.all('SELECT * FROM payments WHERE payment_hash = ? ORDER BY created_at, payment_id', [
          paymentHash,
        ])
      ).map(toPayment);
    },
    async list() {
      return (await ex.all('SELECT * FROM payments ORDER BY created_at, payment_id')).map(toPayment);
    },
  };
}

function toInvoice(r: Row): InvoiceRecord {
  return {
    paymentHash: colBytes(r, 'payment_hash'),
    preimage: colBytes(r, 'preimage'),
    paymentSecret: colBytes(r, 'payment_secret'),
    amountMsat: colBigOrNull(r, 'amount_msat'),
    bolt11: colStr(r, 'bolt11'),
    description: colStr(r, 'description'),
    status: colStr(r, 'status') as InvoiceStatus,
    receivedMsat: colBigOrNull(r, 'received_msat'),
    createdAt: colNum(r, 'created_at'),
    expiresAt: colNum(r, 'expires_at'),
    paidAt: colNumOrNull(r, 'paid_at'),
  };
}

/** Invoices we issued (BOLT 11). */
export function invoiceRepository(ex: Executor): InvoiceRepository {
  return {
    async put(i) {
      checkLength('paymentHash', i.paymentHash, 32);
      checkLength('preimage', i.preimage, 32);
      checkLength('paymentSecret', i.paymentSecret, 32);
      await ex.run(
        `INSERT INTO invoices (payment_hash, preimage, payment_secret, amount_msat, bolt11, description, status,
           received_msat, created_at, expires_at, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (payment_hash) DO UPDATE SET preimage = excluded.preimage,
           payment_secret = excluded.payment_secret, amount_msat = excluded.amount_msat, bolt11 = excluded.bolt11,
           description = excluded.description, status = excluded.status, received_msat = excluded.received_msat,
           created_at = excluded.created_at, expires_at = excluded.expires_at, paid_at = excluded.paid_at`,
        [
          i.paymentHash,
          i.preimage,
          i.paymentSecret,
          i.amountMsat === null ? null : checkInt64('amountMsat', i.amountMsat),
          i.bolt11,
          i.description,
          i.status,
          i.receivedMsat === null ? null : checkInt64('receivedMsat', i.receivedMsat),
          i.createdAt,
          i.expiresAt,
          i.paidAt,
        ],
      );
    },
    async get(paymentHash) {
      const rows = await ex.all('SELECT * FROM invoices WHERE payment_hash = ?', [paymentHash]);
      return rows[0] ? toInvoice(rows[0]) : undefined;
    },
    async list(filter = {}) {
      const rows =
        filter.status === undefined
          ? await ex.all('SELECT * FROM invoices ORDER BY created_at, payment_hash')
          : await ex.all('SELECT * FROM invoices WHERE status = ? ORDER BY created_at, payment_hash', [
              filter.status,
            ]);
      return rows.map(toInvoice);
    },
  };
}
