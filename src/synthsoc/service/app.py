"""The FastAPI application: populations, personas, surveys, simulations and runs, plus the
dashboard (static files shipped with the package) on the same port.

Every ``/api`` route but ``/api/health`` needs ``Authorization: Bearer TOKEN``; a user sees
only their own runs and the shared populations, and another user's run answers 404 exactly like
a run that does not exist.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as Path_
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from synthsoc import __version__
from synthsoc.agents import TownParams
from synthsoc.agents.cost import estimate_run
from synthsoc.atomic import write_bytes
from synthsoc.data.readers import ReadError, read_json
from synthsoc.llm import Price
from synthsoc.service import geo, populations, results, uploads
from synthsoc.service.config import (
    SHARED_OWNER,
    USER_NAME,
    ServiceConfig,
    User,
    load_users,
    token_hash,
)
from synthsoc.service.font import web_font
from synthsoc.service.jobs import JobQueue, llm_calls_used, make_queue, recover
from synthsoc.service.paths import RUN_ID, UnsafePath, inside
from synthsoc.service.specs import (
    KGSS_YEARS,
    PopulationRequest,
    SandboxRequest,
    ShareRequest,
    SimulationRequest,
    SurveyEngine,
    SurveyInputs,
    TownRequest,
    policy_steps,
    population_steps,
    sandbox_steps,
    simulation_steps,
    survey_steps,
    town_steps,
)
from synthsoc.service.store import Run, RunStore, new_run_id
from synthsoc.sim.scenario import builtin_scenarios
from synthsoc.synth import PopulationFolderError
from synthsoc.synth.regions import UnknownRegionError, resolve_region

STATIC = "static"
POPULATION_YEAR = 2025  # `synthsoc populate`'s default census year, which the API uses
bearer = HTTPBearer(auto_error=False, description="A token from `synthsoc serve --add-user`.")


@dataclass
class ServiceState:
    """What every request shares: settings, users, the run index, the queue, loaded data."""

    config: ServiceConfig
    store: RunStore
    queue: JobQueue
    cache: populations.PopulationCache = field(default_factory=populations.PopulationCache)
    users: dict[str, User] = field(default_factory=dict)
    users_mtime: float = -1.0

    def user_for(self, token: str) -> User | None:
        mtime = self.config.users_file.stat().st_mtime if self.config.users_file.is_file() else 0
        if mtime != self.users_mtime:
            self.users = load_users(self.config.users_file, self.config.limits)
            self.users_mtime = mtime
        return self.users.get(token_hash(token))

    def user_names(self) -> set[str]:
        self.user_for("")  # reload the users file when it changed
        return {u.name for u in self.users.values()}


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


State = Annotated[ServiceState, Depends(_state)]


def _user(state: State,
          credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "give a token: Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    user = state.user_for(credentials.credentials)
    if user is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(_user)]


def _visible(state: ServiceState, user: User, run_id: str, kind: str | None = None) -> Run:
    if not RUN_ID.match(run_id):
        raise HTTPException(404, f"run {run_id!r}: not found")
    run = state.store.get(run_id)
    if run is None or (kind is not None and run.kind != kind) or not (
            run.owner in (user.name, SHARED_OWNER) or state.store.shared_with(run_id, user.name)):
        raise HTTPException(404, f"{kind or 'run'} {run_id}: not found")
    return run


def _owned(state: ServiceState, user: User, run_id: str) -> Run:
    """A run the user may change: their own (a run shared with them is read-only)."""
    run = _visible(state, user, run_id)
    if run.owner != user.name:
        raise HTTPException(403, f"run {run_id} is shared with you read-only; only its owner "
                            "can change it")
    return run


def _finished_folder(run: Run) -> Path:
    if run.status != "succeeded":
        raise HTTPException(409, f"run {run.id} is {run.status}, not finished: no results yet")
    folder = Path(run.folder)
    if not folder.is_dir():
        raise HTTPException(410, f"run {run.id}: its folder is gone")
    return folder


def _loaded(state: ServiceState, user: User, pop_id: str,
            through: Run | None = None) -> populations.LoadedPopulation:
    """A finished population the user may read; ``through``: the population of a run the
    user may read (a run shared with them shows the population it was made on)."""
    if through is not None and through.population == pop_id:
        run = state.store.get(pop_id)
        if run is None or run.kind != "population":
            raise HTTPException(404, f"population {pop_id}: not found")
        folder = _finished_folder(run)
    else:
        folder = _finished_folder(_visible(state, user, pop_id, "population"))
    try:
        return state.cache.get(folder)
    except PopulationFolderError as exc:
        raise HTTPException(422, f"population {pop_id}: {exc}") from None


def _submit(state: ServiceState, user: User, run: Run) -> dict[str, Any]:
    refusal = state.store.add_if_allowed(run, user.max_concurrent_jobs, user.llm_budget_calls,
                                         llm_calls_used(state.config, user.name))
    if refusal is not None:
        raise HTTPException(429, refusal)
    state.queue.submit(run.id)
    added = state.store.get(run.id)
    assert added is not None
    return added.public()


def _new_run(user: User, kind: str, title: str, params: dict[str, Any], folder: Path,
             steps: list[list[str]], population: str | None = None, llm_calls: int = 0,
             run_id: str | None = None) -> Run:
    return Run(id=run_id or new_run_id(), owner=user.name, kind=kind, title=title,
               status="queued", created=time.time(), started=None, finished=None,
               params=params, steps=steps, folder=str(folder), population=population,
               progress=0.0, stage="queued", message="", pid=None, cancel_requested=False,
               llm_calls=llm_calls)


def _register_shared(state: ServiceState) -> None:
    for folder in state.config.shared_populations:
        folder = folder.resolve()
        try:
            manifest = read_json(folder / "manifest.json")
        except ReadError:
            continue
        run_id = hashlib.sha256(str(folder).encode()).hexdigest()[:32]
        if state.store.get(run_id) is not None or not isinstance(manifest, dict):
            continue
        params = {k: manifest.get(k) for k in ("scale", "seed", "region", "year")}
        state.store.add(Run(
            id=run_id, owner=SHARED_OWNER, kind="population", title=f"shared: {folder.name}",
            status="succeeded", created=time.time(), started=None, finished=time.time(),
            params=params, steps=[], folder=str(folder), population=None, progress=1.0,
            stage="", message="", pid=None, cancel_requested=False, llm_calls=0))


def create_app(config: ServiceConfig, *, workers: bool = True) -> FastAPI:
    """The application of one data folder; ``workers=False`` queues jobs without running them
    (tests of the API alone)."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = RunStore(config.runs_db)
    queue = make_queue(config, store)
    state = ServiceState(config, store, queue)
    _register_shared(state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        recover(store, queue)
        if workers:
            queue.start_workers(config.workers)
        try:
            yield
        finally:
            queue.stop_workers()

    app = FastAPI(title="synthsoc", version=__version__, lifespan=lifespan,
                  description="A synthetic society of South Korea as a service: populations, "
                  "personas, surveys and simulations, each long piece of work as a job.")
    app.state.service = state
    _routes(app, config)
    return app


def _routes(app: FastAPI, config: ServiceConfig) -> None:  # noqa: C901 - every route
    @app.exception_handler(populations.PopulationQueryError)
    @app.exception_handler(results.ResultQueryError)
    async def _query_error(_r: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(UnsafePath)
    async def _unsafe(_r: Request, exc: UnsafePath) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(uploads.UploadError)
    async def _upload(_r: Request, exc: uploads.UploadError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.get("/api/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/me", tags=["service"])
    def me(state: State, user: CurrentUser) -> dict[str, Any]:
        mine = state.store.runs((user.name,))
        return {"name": user.name, "max_concurrent_jobs": user.max_concurrent_jobs,
                "active_jobs": sum(r.status in ("queued", "running") for r in mine),
                "llm_budget_calls": user.llm_budget_calls,
                "llm_calls_used": llm_calls_used(state.config, user.name),
                "max_upload_bytes": state.config.limits.max_upload_bytes}

    # ------------------------------------------------------------------ runs

    @app.get("/api/runs", tags=["runs"])
    def list_runs(state: State, user: CurrentUser,
                  kind: Annotated[str | None, Query(
                      pattern="^(population|survey|simulation|town|policy|sandbox)$")]
                  = None) -> list[dict[str, Any]]:
        return [r.public() for r in state.store.runs((user.name,), kind, reader=user.name)]

    @app.get("/api/runs/{run_id}", tags=["runs"])
    def get_run(state: State, user: CurrentUser, run_id: str) -> dict[str, Any]:
        return _visible(state, user, run_id).public()

    @app.post("/api/runs/{run_id}/cancel", tags=["runs"])
    def cancel_run(state: State, user: CurrentUser, run_id: str) -> dict[str, Any]:
        run = _owned(state, user, run_id)
        if run.status not in ("queued", "running"):
            raise HTTPException(409, f"run {run_id} is {run.status}; nothing to cancel")
        state.store.request_cancel(run_id)
        updated = state.store.get(run_id)
        assert updated is not None
        return updated.public()

    @app.get("/api/runs/{run_id}/shares", tags=["runs"])
    def run_shares(state: State, user: CurrentUser, run_id: str) -> dict[str, Any]:
        _owned(state, user, run_id)
        return {"run": run_id, "readers": state.store.readers(run_id)}

    @app.post("/api/runs/{run_id}/shares", tags=["runs"])
    def share_run(state: State, user: CurrentUser, run_id: str,
                  body: ShareRequest) -> dict[str, Any]:
        """Let another user of this server read the run (and the population it was made on
        through it); they cannot cancel, share or change it."""
        _owned(state, user, run_id)
        if body.user == user.name:
            raise HTTPException(422, f"user {body.user!r}: that is you; share with another user")
        if body.user not in state.user_names():
            raise HTTPException(422, f"user {body.user!r}: no such user on this server")
        state.store.share(run_id, body.user)
        return {"run": run_id, "readers": state.store.readers(run_id)}

    @app.delete("/api/runs/{run_id}/shares/{reader}", tags=["runs"])
    def unshare_run(state: State, user: CurrentUser, run_id: str,
                    reader: Annotated[str, Path_(pattern=USER_NAME.pattern)]) -> dict[str, Any]:
        _owned(state, user, run_id)
        if not state.store.unshare(run_id, reader):
            raise HTTPException(404, f"run {run_id} is not shared with {reader!r}")
        return {"run": run_id, "readers": state.store.readers(run_id)}

    # ------------------------------------------------------------------ populations

    @app.get("/api/populations", tags=["populations"])
    def list_populations(state: State, user: CurrentUser) -> list[dict[str, Any]]:
        return [r.public() for r in state.store.runs((user.name, SHARED_OWNER), "population",
                                                     reader=user.name)]

    @app.post("/api/populations", status_code=202, tags=["populations"])
    def create_population(state: State, user: CurrentUser,
                          body: PopulationRequest) -> dict[str, Any]:
        if body.region is not None:
            try:
                resolve_region(body.region, POPULATION_YEAR)
            except UnknownRegionError as exc:
                raise HTTPException(422, str(exc)) from None
        run_id = new_run_id()
        folder = state.config.user_dir(user.name) / "populations" / run_id
        where = body.region or "전국"
        run = _new_run(user, "population", f"{where} x{body.scale:g} seed {body.seed}",
                       body.model_dump(), folder, population_steps(body, folder), run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/populations/{pop_id}/fit", tags=["populations"])
    def population_fit(state: State, user: CurrentUser, pop_id: str) -> dict[str, Any]:
        return populations.fit_summary(_loaded(state, user, pop_id).folder)

    @app.get("/api/populations/{pop_id}/pyramid", tags=["populations"])
    def population_pyramid(state: State, user: CurrentUser, pop_id: str) -> dict[str, Any]:
        return populations.pyramid(_loaded(state, user, pop_id))

    @app.get("/api/populations/{pop_id}/attributes", tags=["personas"])
    def population_attributes(state: State, user: CurrentUser,
                              pop_id: str) -> dict[str, list[str]]:
        return populations.attributes(_loaded(state, user, pop_id))

    @app.get("/api/populations/{pop_id}/personas", tags=["personas"])
    def personas(
        state: State, user: CurrentUser, pop_id: str,
        where: Annotated[list[str], Query(max_length=20, description="ATTRIBUTE:VALUE")] = [],  # noqa: B006
        age_min: Annotated[int | None, Query(ge=0, le=120)] = None,
        age_max: Annotated[int | None, Query(ge=0, le=120)] = None,
        limit: Annotated[int, Query(ge=1, le=populations.MAX_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        sample: Annotated[int | None, Query(ge=1, le=populations.MAX_PAGE)] = None,
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 1,
    ) -> dict[str, Any]:
        return populations.query_personas(_loaded(state, user, pop_id), where, age_min,
                                          age_max, limit, offset, sample, seed)

    @app.get("/api/populations/{pop_id}/personas/{person_id}", tags=["personas"])
    def persona(state: State, user: CurrentUser, pop_id: str,
                person_id: int) -> dict[str, Any]:
        if not 0 <= person_id <= 2**53:
            raise HTTPException(422, f"person_id {person_id}: must be between 0 and 2^53")
        return populations.person_detail(_loaded(state, user, pop_id), person_id)

    @app.get("/api/populations/{pop_id}/map", tags=["populations"])
    def population_map(
        state: State, user: CurrentUser, pop_id: str,
        level: geo.Level = "sigungu",
        attribute: Annotated[str, Query(min_length=1, max_length=60)] = "age",
        value: Annotated[str | None, Query(max_length=100)] = None,
    ) -> dict[str, Any]:
        return populations.map_values(_loaded(state, user, pop_id), level, attribute, value)

    @app.get("/api/populations/{pop_id}/fit-map", tags=["populations"])
    def population_fit_map(
        state: State, user: CurrentUser, pop_id: str,
        level: Literal["sido", "sigungu"] = "sigungu",
        metric: Literal["age_sex_tvd", "total_error"] = "age_sex_tvd",
    ) -> dict[str, Any]:
        """Fit to the official register per area, for the map (with sampling reference)."""
        return populations.fit_map(_loaded(state, user, pop_id), level, metric)

    @app.get("/api/geo/{level}", tags=["map"], response_class=Response)
    def boundaries(state: State, user: CurrentUser, level: geo.Level) -> Response:
        return Response(_geojson(state.config, level), media_type="application/geo+json",
                        headers={"Cache-Control": "private, max-age=86400"})

    # ------------------------------------------------------------------ surveys

    @app.post("/api/surveys", status_code=202, tags=["surveys"])
    async def create_survey(
        state: State, user: CurrentUser,
        population: Annotated[str, Form(pattern=RUN_ID.pattern)],
        questionnaire: Annotated[UploadFile, File(description="Questionnaire YAML.")],
        pilot: Annotated[UploadFile | None, File(description="Pilot / microdata CSV.")] = None,
        column_map: Annotated[UploadFile | None, File(description="--map YAML.")] = None,
        tables: Annotated[UploadFile | None, File(
            description="KOSIS-shaped share tables CSV (--tables).")] = None,
        label_map: Annotated[UploadFile | None, File(
            description="Table group labels -> attributes YAML (--label-map).")] = None,
        engine: Annotated[SurveyEngine, Form()] = "calibrated",
        kgss: Annotated[bool, Form(description="Answer from the packaged KGSS (--kgss).")]
        = False,
        kgss_years: Annotated[str | None, Form(pattern=KGSS_YEARS,
                                               description="KGSS waves FROM-TO.")] = None,
        table_n: Annotated[int, Form(ge=10, le=100_000,
                                     description="Respondents assumed per published group.")]
        = 1000,
        seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
        sample: Annotated[int, Form(ge=1, le=500)] = 100,
        replicates: Annotated[int, Form(ge=1, le=10)] = 1,
    ) -> dict[str, Any]:
        loaded = _loaded(state, user, population)
        limit = state.config.limits.max_upload_bytes
        run_id = new_run_id()
        inputs = state.config.user_dir(user.name) / "inputs" / run_id

        async def stored(upload: UploadFile | None, name: str, field: str) -> Path | None:
            if upload is None or not upload.filename:
                return None
            await uploads.store_upload(upload, inputs / name, limit, field)
            return inputs / name

        q_path = await stored(questionnaire, "questionnaire.yaml", "questionnaire")
        assert q_path is not None
        q_name = uploads.shown_name(questionnaire, "questionnaire.yaml")
        q = uploads.check_questionnaire(q_path, q_name)
        spec = SurveyInputs(
            questionnaire=q_path, engine=engine,
            pilot=await stored(pilot, "pilot.csv", "pilot"),
            data_map=await stored(column_map, "map.yaml", "column_map"),
            tables=await stored(tables, "tables.csv", "tables"),
            label_map=await stored(label_map, "label_map.yaml", "label_map"),
            table_n=table_n, kgss=kgss, kgss_years=kgss_years, seed=seed, sample=sample,
            replicates=replicates)
        refusal = spec.source_error()
        if refusal is not None:
            raise HTTPException(422, refusal)
        data_map = None
        if spec.data_map is not None:
            data_map = uploads.check_map(spec.data_map, uploads.shown_name(column_map, "map.yaml"))
        if spec.pilot is not None:
            uploads.check_pilot(spec.pilot, uploads.shown_name(pilot, "pilot.csv"), q,
                                loaded.population, data_map)
        if spec.tables is not None and spec.label_map is not None:
            uploads.check_tables(spec.tables, uploads.shown_name(tables, "tables.csv"),
                                 spec.label_map, uploads.shown_name(label_map, "label_map.yaml"),
                                 q, loaded.population)
        if spec.kgss:
            years = None if kgss_years is None else (int(kgss_years[:4]), int(kgss_years[5:]))
            uploads.check_kgss(q, loaded.population, years)
        folder = state.config.user_dir(user.name) / "runs" / run_id
        params = {"engine": engine, "seed": seed, "questionnaire": q.id, "questionnaire_file":
                  q_name, "questions": len(q.questions), "sample": sample,
                  "replicates": replicates,
                  "source": ("pilot" if spec.pilot else "tables" if spec.tables else
                             "kgss" if spec.kgss else "personas"),
                  **({"kgss_years": kgss_years} if kgss_years else {}),
                  **({"table_n": table_n} if spec.tables else {})}
        run = _new_run(user, "survey", f"{q.title.ko} ({engine})", params, folder,
                       survey_steps(spec, loaded.folder, folder), population=population,
                       llm_calls=spec.llm_calls * len(q.questions), run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/surveys/{run_id}/results", tags=["surveys"])
    def survey_results(
        state: State, user: CurrentUser, run_id: str,
        question: Annotated[str | None, Query(max_length=100)] = None,
        segment: Annotated[str | None, Query(max_length=100)] = None,
    ) -> dict[str, Any]:
        run = _visible(state, user, run_id, "survey")
        folder = _finished_folder(run)
        answer = results.survey_results(folder, question, segment)
        answer["labels"] = results.questionnaire_labels(Path(run.steps[0][2]))
        return answer

    @app.get("/api/surveys/{run_id}/map", tags=["surveys"])
    def survey_map(
        state: State, user: CurrentUser, run_id: str,
        question: Annotated[str, Query(min_length=1, max_length=100)],
        category: Annotated[str, Query(min_length=1, max_length=100)],
    ) -> dict[str, Any]:
        run = _visible(state, user, run_id, "survey")
        folder = _finished_folder(run)
        assert run.population is not None
        loaded = _loaded(state, user, run.population, through=run)
        return results.survey_by_region(folder, question, category, loaded.population.regions)

    # ------------------------------------------------------------------ simulations

    @app.get("/api/scenarios", tags=["simulations"])
    def scenarios(user: CurrentUser) -> list[dict[str, Any]]:
        return [{"name": name, "model": sc.model, "title": sc.title,
                 "description": sc.description, "steps": sc.steps,
                 "outcomes": sorted(sc.outcomes)}
                for name, sc in builtin_scenarios().items()]

    @app.post("/api/simulations", status_code=202, tags=["simulations"])
    def create_simulation(state: State, user: CurrentUser,
                          body: SimulationRequest) -> dict[str, Any]:
        if body.scenario not in builtin_scenarios():
            raise HTTPException(422, f"scenario {body.scenario!r}: not a built-in scenario "
                                f"({sorted(builtin_scenarios())})")
        loaded = _loaded(state, user, body.population)
        run_id = new_run_id()
        folder = state.config.user_dir(user.name) / "runs" / run_id
        run = _new_run(user, "simulation", f"{body.scenario} x{body.replicates}",
                       body.model_dump(), folder,
                       simulation_steps(body, loaded.folder, folder),
                       population=body.population, run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/simulations/{run_id}/summary", tags=["simulations"])
    def simulation_summary(state: State, user: CurrentUser, run_id: str) -> dict[str, Any]:
        folder = _finished_folder(_visible(state, user, run_id, "simulation"))
        return results.simulation_summary(folder)

    @app.get("/api/simulations/{run_id}/series", tags=["simulations"])
    def simulation_series(
        state: State, user: CurrentUser, run_id: str,
        metric: Annotated[str, Query(min_length=1, max_length=100)],
        segment: Annotated[str, Query(min_length=1, max_length=100)] = "all",
    ) -> dict[str, Any]:
        folder = _finished_folder(_visible(state, user, run_id, "simulation"))
        return results.simulation_series(folder, metric, segment)

    # ------------------------------------------------------------------ towns, policy, sandbox

    @app.post("/api/towns", status_code=202, tags=["towns"])
    def create_town(state: State, user: CurrentUser, body: TownRequest) -> dict[str, Any]:
        """``synthsoc town run`` as a job (a population with personas)."""
        loaded = _loaded(state, user, body.population)
        run_id = new_run_id()
        folder = state.config.user_dir(user.name) / "runs" / run_id
        calls = 0 if body.llm == "none" else estimate_run(
            TownParams(emd=body.emd, n_agents=body.agents), body.agents, body.hours,
            Price()).requests
        run = _new_run(user, "town", f"town {body.emd} x{body.agents} ({body.scenario})",
                       body.model_dump(), folder, town_steps(body, loaded.folder, folder),
                       population=body.population, llm_calls=calls, run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/towns/{run_id}/summary", tags=["towns"])
    def town_summary(state: State, user: CurrentUser, run_id: str) -> dict[str, Any]:
        return results.town_summary(_finished_folder(_visible(state, user, run_id, "town")))

    @app.post("/api/policy", status_code=202, tags=["policy"])
    async def create_policy(
        state: State, user: CurrentUser,
        population: Annotated[str, Form(pattern=RUN_ID.pattern)],
        reform: Annotated[UploadFile | None, File(
            description="Reform YAML (none: the baseline alone).")] = None,
        draws: Annotated[int, Form(ge=1, le=50, description="Draws of income and assets.")]
        = 10,
        seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 1,
        takeup: Annotated[bool, Form(description="Take-up below 100% through the network.")]
        = False,
    ) -> dict[str, Any]:
        """``synthsoc policy run`` as a job; the reform is checked by the policy layer's own
        reader first (its error names the file and the field)."""
        loaded = _loaded(state, user, population)
        run_id = new_run_id()
        reform_path = None
        title = "baseline"
        if reform is not None and reform.filename:
            reform_path = state.config.user_dir(user.name) / "inputs" / run_id / "reform.yaml"
            await uploads.store_upload(reform, reform_path, state.config.limits.max_upload_bytes,
                                       "reform")
            spec = uploads.check_reform(reform_path, uploads.shown_name(reform, "reform.yaml"))
            title = spec.label or spec.name
        folder = state.config.user_dir(user.name) / "runs" / run_id
        params = {"draws": draws, "seed": seed, "takeup": takeup, "reform": title}
        run = _new_run(user, "policy", f"policy: {title}", params, folder,
                       policy_steps(loaded.folder, reform_path, folder, draws, seed, takeup),
                       population=population, run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/policy/{run_id}/results", tags=["policy"])
    def policy_results(
        state: State, user: CurrentUser, run_id: str,
        group: Annotated[str | None, Query(max_length=40,
                                           description="income_bracket | type | age_group "
                                           "| district")] = None,
    ) -> dict[str, Any]:
        folder = _finished_folder(_visible(state, user, run_id, "policy"))
        return results.policy_results(folder, group)

    @app.post("/api/sandbox", status_code=202, tags=["sandbox"])
    def create_sandbox(state: State, user: CurrentUser, body: SandboxRequest) -> dict[str, Any]:
        """``synthsoc sandbox run`` as a job (a population with personas)."""
        loaded = _loaded(state, user, body.population)
        run_id = new_run_id()
        folder = state.config.user_dir(user.name) / "runs" / run_id
        llm = [a for a in body.assistants if a.startswith("llm-")]
        run = _new_run(user, "sandbox", f"sandbox: {', '.join(body.assistants)}",
                       body.model_dump(), folder, sandbox_steps(body, loaded.folder, folder),
                       population=body.population, llm_calls=len(llm) * body.max_turns,
                       run_id=run_id)
        return _submit(state, user, run)

    @app.get("/api/sandbox/{run_id}/results", tags=["sandbox"])
    def sandbox_results(
        state: State, user: CurrentUser, run_id: str,
        segment: Annotated[str | None, Query(max_length=40)] = None,
    ) -> dict[str, Any]:
        folder = _finished_folder(_visible(state, user, run_id, "sandbox"))
        return results.sandbox_results(folder, segment)

    # ------------------------------------------------------------------ dashboard

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(_static_file("index.html"), media_type="text/html; charset=utf-8")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        return FileResponse(_static_file(name))

    @app.get("/font/NanumGothic.ttf", include_in_schema=False)
    def font() -> FileResponse:
        return FileResponse(web_font(config.data_dir / "cache"), media_type="font/ttf",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)


def _static_file(name: str) -> Path:
    root = Path(str(resources.files("synthsoc.service").joinpath(STATIC)))
    path = inside(root, name)
    if not path.is_file():
        raise HTTPException(404, f"{name}: not found")
    return path


def _geojson(config: ServiceConfig, level: geo.Level) -> bytes:
    """The boundaries of ``level``, computed once and kept in the data folder's cache."""
    cached = config.data_dir / "cache" / f"boundaries_{level}.geojson"
    if cached.is_file():
        return cached.read_bytes()
    data = geo.geojson(level)
    write_bytes(cached, data)
    return data
