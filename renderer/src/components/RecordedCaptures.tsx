/**
 * A recorded run's wire: its capture files (the tester port and each switch port mirror, per mode and
 * repetition) in the same list, filter and detail pane as the live run, one file at a time, numbered as in the file
 * (so the numbers match Wireshark). A matrix cell's evidence opens its file, highlights its frames and scrolls to
 * the one asked for.
 */
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchApi, CaptureFileInfo } from '../../../shared/api.js';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import type { ListedFrame } from '../../../shared/wire/filter.js';
import { RecordedCapture } from '../capture/recorded.js';
import { errorText } from '../cells.js';
import { CaptureList, FrameDetail } from './CaptureList.js';

/** Frames to show: in which file, which to highlight, which to scroll to. `seq` changes with every request. */
export interface CaptureFocus {
  file?: string;
  frames: readonly number[];
  first: number;
  seq: number;
}

export function captureFileLabel(info: CaptureFileInfo, t: TFunction): string {
  const name = info.file.replace(/^capture\//, '');
  let label = name;
  if (info.mode) {
    const vars = { mode: t(modeKey(info.mode)), rep: info.repetition ?? 1, port: info.port, slave: info.slave ?? '' };
    label = info.slave ? t('analysis.capture.mirror', vars) : t('analysis.capture.tester', vars);
  }
  return info.interrupted ? t('analysis.capture.interrupted', { name: label }) : label;
}

export interface RecordedCapturesProps {
  client: Pick<BenchApi, 'listCaptures' | 'readCapture'>;
  runId: string;
  focus?: CaptureFocus;
  /** Shown between the list and the frame detail (a cell's evidence). */
  children?: ReactNode;
}

export function RecordedCaptures({ client, runId, focus, children }: RecordedCapturesProps) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<CaptureFileInfo[]>();
  const [file, setFile] = useState<string>();
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<ListedFrame>();
  // The error itself, said at render time in the UI's current language.
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let current = true;
    setFiles(undefined);
    setFile(undefined);
    client.listCaptures(runId).then(
      (list) => {
        if (!current) return;
        setFiles(list);
        setFile((chosen) => chosen ?? list[0]?.file);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [client, runId]);

  // Evidence asks for frames: their file, unfiltered, so frame n is row n − 1.
  // biome-ignore lint/correctness/useExhaustiveDependencies: each request (seq) is acted on once
  useEffect(() => {
    if (!focus) return;
    if (focus.file) setFile(focus.file);
    setFilter('');
    setSelected(undefined);
  }, [focus?.seq]);

  const info = files?.find((f) => f.file === file);
  const source = useMemo(() => (info ? new RecordedCapture(client, runId, info) : undefined), [client, runId, info]);
  const highlight = useMemo(() => new Set(focus?.frames ?? []), [focus]);
  const scrollTo =
    focus && (!focus.file || focus.file === file) ? { index: focus.first - 1, seq: focus.seq } : undefined;

  if (error !== undefined) {
    return (
      <p className="error" role="alert">
        {errorText(error, t)}
      </p>
    );
  }
  if (files && files.length === 0) return <p className="subtle">{t('analysis.capture.none')}</p>;
  if (!source || !files) return <p className="subtle">{t('analysis.capture.loading')}</p>;

  const picker = (
    <select
      className="capture-file"
      aria-label={t('analysis.capture.file')}
      value={file}
      onChange={(event) => {
        setFile(event.target.value);
        setSelected(undefined);
      }}
    >
      {files.map((f) => (
        <option key={f.file} value={f.file}>
          {captureFileLabel(f, t)}
        </option>
      ))}
    </select>
  );

  return (
    <>
      <CaptureList
        store={source}
        filter={filter}
        onFilterChange={setFilter}
        selected={selected}
        onSelect={setSelected}
        highlight={highlight}
        scrollTo={scrollTo}
        toolbar={picker}
      />
      {children}
      <FrameDetail frame={selected} />
    </>
  );
}
