-- Registrations made before the app filled in status were all accepted.
update registrations
   set status = 'confirmed'
 where status is null;

alter table registrations alter column status set not null;
alter table registrations alter column status set default 'pending';
