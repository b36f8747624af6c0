-- Federation licences: one per member and season.
CREATE TABLE public.licences (
    id              serial PRIMARY KEY,
    member_id       integer NOT NULL REFERENCES public.members (id) ON DELETE CASCADE,
    licence_number  text NOT NULL,
    season          smallint NOT NULL,
    issued_on       date NOT NULL,
    expires_on      date NOT NULL,
    CONSTRAINT licences_number_season_key UNIQUE (licence_number, season),
    CONSTRAINT licences_validity_check CHECK (expires_on > issued_on)
);

CREATE INDEX licences_member_id_idx ON public.licences (member_id);

CREATE VIEW public.active_licences AS
    SELECT l.id, l.member_id, l.licence_number, l.season, l.expires_on
      FROM public.licences l
     WHERE l.expires_on >= current_date;
