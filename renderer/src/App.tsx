/** The app: Setup, Run and History, with the run's progress and Cancel always in view. */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunView as RecordedRun } from '../../shared/api.js';
import type { RunManifest } from '../../shared/run/model.js';
import { errorText } from './cells.js';
import { LanguageSwitch } from './components/LanguageSwitch.js';
import { RunProgress } from './components/RunProgress.js';
import { uiLanguage } from './i18n.js';
import { LiveRun } from './state/live.js';
import type { Connection } from './transport/bridge.js';
import { HistoryView } from './views/HistoryView.js';
import { RunView } from './views/RunView.js';
import { SetupView } from './views/SetupView.js';

type View = 'setup' | 'run' | 'history';
const VIEWS: readonly View[] = ['setup', 'run', 'history'];

export function App({ connection }: { connection: Connection }) {
  const { t, i18n } = useTranslation();
  const { client } = connection;
  const live = useMemo(() => new LiveRun(), []);
  const state = useSyncExternalStore(live.subscribe, live.getState);
  const [view, setView] = useState<View>('setup');
  const [plan, setPlan] = useState<string>();
  const [livePlan, setLivePlan] = useState('');
  const [liveManifest, setLiveManifest] = useState<RunManifest>();
  const [recorded, setRecorded] = useState<RecordedRun>();
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  // The error as thrown: said in the UI's language when shown (errorText), so a language switch re-says it.
  const [error, setError] = useState<unknown>();
  const [lost, setLost] = useState<string>();
  const [finishedRuns, setFinishedRuns] = useState(0);

  useEffect(() => client.onEvent(live.handle), [client, live]);
  useEffect(() => connection.onClose(setLost), [connection]);
  // The desktop shell keeps the plan being edited between sessions; otherwise start from the bench's default,
  // named in the UI's language. Loaded once: a language switch later does not replace the user's plan.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the language at start only
  useEffect(() => {
    const kept = connection.planKeeper ? connection.planKeeper.kept() : Promise.resolve(null);
    kept.then((text) => text ?? client.defaultPlan(uiLanguage(i18n.language))).then(setPlan, setError);
  }, [client, connection]);
  useEffect(() => {
    const keeper = connection.planKeeper;
    if (!keeper || plan === undefined) return;
    const timer = setTimeout(() => void keeper.keep(plan).catch(() => undefined), 1000);
    return () => clearTimeout(timer);
  }, [connection, plan]);

  // When the run ends, ask the bench whether the host was put back as it was.
  const finishedId = state.status !== 'running' && state.status !== 'idle' ? state.runId : undefined;
  useEffect(() => {
    if (!finishedId) return;
    setCancelling(false);
    setFinishedRuns((n) => n + 1);
    client.getRun(finishedId).then((run) => setLiveManifest(run.manifest), setError);
  }, [client, finishedId]);

  const start = async () => {
    if (!plan) return;
    setStarting(true);
    setError(undefined);
    try {
      const { runId } = await client.startRun(plan);
      live.follow(runId);
      setLivePlan(plan);
      setLiveManifest(undefined);
      setRecorded(undefined);
      setView('run');
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    if (!state.runId) return;
    setCancelling(true);
    try {
      await client.cancelRun(state.runId);
    } catch (e) {
      setError(e);
      setCancelling(false);
    }
  };

  const open = async (runId: string) => {
    setError(undefined);
    try {
      setRecorded(await client.getRun(runId));
      setView('run');
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="app">
      <header>
        <h1>{t('ui.app.title')}</h1>
        <nav aria-label={t('ui.app.views')}>
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'tab active' : 'tab'}
              aria-current={v === view ? 'page' : undefined}
              onClick={() => setView(v)}
            >
              {t(`ui.view.${v}`)}
            </button>
          ))}
        </nav>
        <RunProgress state={state} onCancel={cancel} cancelling={cancelling} />
        <LanguageSwitch />
      </header>
      {lost ? (
        <p className="error banner" role="alert">
          {t('ui.app.connectionLost', { reason: lost })}
        </p>
      ) : null}
      {error !== undefined ? (
        <p className="error banner" role="alert">
          {errorText(error, t)}{' '}
          <button type="button" className="link" onClick={() => setError(undefined)}>
            {t('ui.app.dismiss')}
          </button>
        </p>
      ) : null}
      <main>
        {view === 'setup' ? (
          plan === undefined ? (
            <p className="subtle">{t('ui.setup.loading')}</p>
          ) : (
            <SetupView
              client={client}
              plan={plan}
              onPlanChange={setPlan}
              onStart={start}
              starting={starting}
              running={state.status === 'running'}
            />
          )
        ) : null}
        {view === 'run' ? (
          <RunView
            client={client}
            live={live}
            livePlan={livePlan}
            liveManifest={liveManifest}
            recorded={recorded}
            onCloseRecorded={() => setRecorded(undefined)}
          />
        ) : null}
        {view === 'history' ? <HistoryView connection={connection} onOpen={open} refreshKey={finishedRuns} /> : null}
      </main>
    </div>
  );
}
