/**
 * A campaign's report as a PDF (pdfkit, its built-in Helvetica: no font files, no binaries):
 * header, stat cards, rates, the outcome distribution as a bar chart, attempts per contact, and
 * the first calls. Every number comes from the same counters and rows as the API.
 */
import PDFDocument from 'pdfkit';
import type { Database } from '../db/client.ts';
import { campaignDurationSeconds, computeStats, type CampaignStats } from '../domain/stats.ts';
import type { Campaign } from '../db/generated/prisma/client.ts';

export const REPORT_CALLS = 25;

type ReportData = {
  campaign: Campaign;
  agentName: string | null;
  stats: CampaignStats;
  attemptsPerContact: { attempts: number; calls: number }[];
  calls: { name: string; phone_number: string; status: string; outcome: string | null; attempt_count: number; duration_seconds: number }[];
  now: Date;
};

export async function loadReport(db: Database, campaign: Campaign, now = new Date()): Promise<ReportData> {
  const [tallies, agent, attemptsPerContact, calls] = await Promise.all([
    db.prisma.campaignCallTally.findMany({ where: { campaignId: campaign.id } }),
    campaign.agentId ? db.prisma.agent.findUnique({ where: { id: campaign.agentId }, select: { name: true } }) : null,
    db.prisma.$queryRaw<{ attempts: number; calls: number }[]>`
      SELECT attempt_count AS attempts, count(*)::int AS calls FROM "call"
       WHERE campaign_id = ${campaign.id}::uuid GROUP BY attempt_count ORDER BY attempt_count`,
    db.prisma.$queryRaw<ReportData['calls']>`
      SELECT name, phone_number, status::text AS status, outcome::text AS outcome, attempt_count, duration_seconds FROM "call"
       WHERE campaign_id = ${campaign.id}::uuid ORDER BY created_at, id LIMIT ${REPORT_CALLS}::int`,
  ]);
  return { campaign, agentName: agent?.name ?? null, stats: computeStats(tallies, campaign, now), attemptsPerContact, calls, now };
}

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);

export function duration(seconds: number | null): string {
  if (seconds === null) return 'not started';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}

const when = (d: Date | null) => (d ? `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC` : '-');

/** The report as a stream of PDF bytes (pdfkit writes as it lays out). */
export function renderReport(data: ReportData): PDFKit.PDFDocument {
  const { campaign, stats } = data;
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `${campaign.name} — campaign report`, Producer: 'callboard' } });
  const width = doc.page.width - 96;

  doc.font('Helvetica-Bold').fontSize(20).text(campaign.name);
  doc.font('Helvetica').fontSize(10).fillColor('#444');
  doc.text(`Status: ${campaign.status}    Agent: ${data.agentName ?? 'none'}`);
  doc.text(`Created: ${when(campaign.createdAt)}    Started: ${when(campaign.startedAt)}    Ended: ${when(campaign.completedAt ?? campaign.canceledAt)}`);
  doc.text(`Duration (first dial to end): ${duration(campaignDurationSeconds(campaign, data.now))}    Report made: ${when(data.now)}`);
  doc.moveDown();

  const cards: [string, number][] = [
    ['Total', stats.total],
    ['Completed', stats.completed],
    ['Failed', stats.failed],
    ['Pending', stats.pending],
    ['In progress', stats.inProgress],
    ['Retry scheduled', stats.retryScheduled],
    ['Skipped', stats.skipped],
    ['Canceled', stats.canceled],
  ];
  const cardWidth = width / 4;
  const top = doc.y;
  cards.forEach(([label, value], i) => {
    const x = 48 + (i % 4) * cardWidth;
    const y = top + Math.floor(i / 4) * 48;
    doc.roundedRect(x + 2, y, cardWidth - 4, 42, 4).fillAndStroke('#f3f4f6', '#d1d5db');
    doc
      .fillColor('#111')
      .font('Helvetica-Bold')
      .fontSize(14)
      .text(String(value), x + 8, y + 6, { width: cardWidth - 16 });
    doc
      .fillColor('#555')
      .font('Helvetica')
      .fontSize(9)
      .text(label, x + 8, y + 26, { width: cardWidth - 16 });
  });
  doc.x = 48;
  doc.y = top + 104;
  doc.fillColor('#111').font('Helvetica').fontSize(10);
  doc.text(`Success rate: ${percent(stats.successRate)}    Connect rate: ${percent(stats.connectRate)}    Attempts: ${stats.attempts}`);
  doc.text(`Connected calls: ${stats.connectedCalls}    Total time spent: ${duration(stats.totalTimeSpentSeconds)} (${stats.totalTimeSpentSeconds} s)`);
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(13).text('Outcomes');
  doc.font('Helvetica').fontSize(9);
  const most = Math.max(1, ...stats.byOutcome.map((o) => o.count));
  for (const { outcome, count } of stats.byOutcome) {
    const y = doc.y;
    doc.fillColor('#111').text(outcome, 48, y, { width: 130 });
    doc.rect(180, y, Math.max(1, ((width - 200) * count) / most), 9).fill('#2563eb');
    doc.fillColor('#111').text(String(count), 180 + (width - 200) + 6, y, { width: 40 });
    doc.x = 48;
    doc.y = y + 14;
  }
  if (stats.byOutcome.length === 0) doc.text('No outcomes yet.');
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(13).text('Attempts per contact', 48);
  doc.font('Helvetica').fontSize(9);
  for (const { attempts, calls } of data.attemptsPerContact) doc.text(`${attempts} attempt${attempts === 1 ? '' : 's'}: ${calls} contacts`);
  doc.moveDown();

  doc
    .font('Helvetica-Bold')
    .fontSize(13)
    .text(`First ${Math.min(REPORT_CALLS, data.calls.length)} calls`, 48);
  doc.font('Helvetica').fontSize(8);
  const columns: [string, number][] = [
    ['Name', 130],
    ['Phone', 95],
    ['Status', 85],
    ['Outcome', 110],
    ['Attempts', 45],
    ['Talk (s)', 40],
  ];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    let x = 48;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, { width: columns[i]![1] - 4, lineBreak: false, ellipsis: true });
      x += columns[i]![1];
    });
    doc.x = 48;
    doc.y = y + 12;
  };
  row(
    columns.map(([name]) => name),
    true,
  );
  for (const call of data.calls) {
    row([call.name || '-', call.phone_number, call.status, call.outcome ?? '-', String(call.attempt_count), String(call.duration_seconds)]);
  }
  doc.end();
  return doc;
}
